// The lease coordinator's two timers: the renewer at a fixed rate, the taker at its interval (earlier
// at a predicted expiry, and polling handoffs it asked for in between). Each has its own clock sleep,
// so the taker never delays a renewal.
import type { Clock } from "../core/clock.ts";
import { AbortedError } from "../core/errors.ts";

/** How often a worker waiting for handoffs it asked for reads those leases (one GetItem each). */
export const HANDOFF_POLL_MS = 250;

/** Fixed rate: a slow round (throttling retries) never shifts the schedule of the next one. */
export async function renewerLoop(
  clock: Clock,
  intervalMs: number,
  round: (signal: AbortSignal) => void,
  signal: AbortSignal,
): Promise<void> {
  let next = clock.monotonic() + intervalMs;
  while (!signal.aborted) {
    if (!(await sleepUntil(clock, next, signal))) return;
    next += intervalMs;
    const now = clock.monotonic();
    if (next <= now) next = now + intervalMs; // we fell behind (a stalled loop): do not burst
    round(signal);
  }
}

export interface TakerLoopOptions {
  clock: Clock;
  intervalMs: number;
  /** One full round (scan, plan, take, initiate handoffs). */
  round: () => Promise<void>;
  /** Between rounds while handoffs are awaited: take the transferred ones. */
  poll: () => Promise<void>;
  /** After a round: the earliest predicted expiry of another worker's lease, if any. */
  nextExpiryAt: () => number | undefined;
  awaitingHandoffs: () => boolean;
  /** False once taking stopped. */
  taking: () => boolean;
  /** Publishes the controller that wakes (ends) the current sleep: stopTaking() aborts it. */
  setWake: (wake: AbortController) => void;
}

/**
 * Runs a round at once, then every intervalMs — or earlier, right after the moment a lease of another
 * worker would expire, so a dead worker's leases are taken within failover + one round.
 */
export async function takerLoop(o: TakerLoopOptions, signal: AbortSignal): Promise<void> {
  const { clock } = o;
  let roundAt = clock.monotonic();
  while (!signal.aborted && o.taking()) {
    // A scan stuck in the network must not keep run() from returning on abort.
    const full = clock.monotonic() >= roundAt;
    if (!(await untilAborted(full ? o.round() : o.poll(), signal))) return;
    const now = clock.monotonic();
    if (full) roundAt = now + o.intervalMs;
    let wakeAt = roundAt;
    const expiry = o.nextExpiryAt();
    if (expiry !== undefined && expiry >= now && expiry + 1 < wakeAt) wakeAt = roundAt = expiry + 1;
    // Waiting for handoffs we asked for: look for their transfer more often than a full scan.
    if (o.awaitingHandoffs()) wakeAt = Math.min(wakeAt, now + HANDOFF_POLL_MS);
    // Aborted by run()'s signal or by stopTaking() (AbortSignal.any needs Node ≥ 20.3: linked by hand).
    const wake = new AbortController();
    o.setWake(wake);
    const onAbort = () => wake.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    const slept = await sleepUntil(clock, wakeAt, wake.signal);
    signal.removeEventListener("abort", onAbort);
    if (!slept) return;
  }
}

async function sleepUntil(clock: Clock, at: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(Math.max(0, at - clock.monotonic()), signal);
    return true;
  } catch (e) {
    if (e instanceof AbortedError) return false;
    throw e;
  }
}

/** Resolves true when `work` settles, false as soon as `signal` aborts (the work is left to finish alone). */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    });
  });
}
