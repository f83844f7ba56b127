// Operator drain (`kcl-ts leases drain --worker <id>`): the worker watches for a drain request row
// for its id in the lease table; on seeing one it takes no new leases and hands over every lease it
// holds — today a graceful release per lease (shutdownRequested, final checkpoint, release); the
// cooperative handoff can replace handOver() without changing how the request is noticed.
import type { Clock } from "../core/clock.ts";
import { AbortedError, describeError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { LeaseCoordinator } from "../leases/coordinator.ts";
import type { LeaseOperatorStore } from "../leases/operator-store.ts";
import type { ShardScheduler } from "./scheduler.ts";
import { withDeadline } from "./startup.ts";

export interface DrainWatchOptions {
  operator: Pick<LeaseOperatorStore, "drainRequested" | "clearDrain">;
  workerId: string;
  coordinator: Pick<LeaseCoordinator, "stopTaking" | "heldLeases" | "release">;
  scheduler: Pick<ShardScheduler, "shutdown" | "abandon">;
  events: EventBus;
  clock: Clock;
  /** One GetItem of the request row per interval (the taker interval). */
  intervalMs: number;
  /** Bound on the processors' shutdownRequested + final checkpoints. */
  shutdownTimeoutMs: number;
  signal: AbortSignal;
}

/** Never rejects; returns once drained or when `signal` aborts. */
export async function watchForDrain(o: DrainWatchOptions): Promise<void> {
  // A drain lasts until the worker restarts: a request left from before this start does not apply.
  await o.operator
    .clearDrain(o.workerId)
    .catch((e) => warn(o, `could not clear an old drain request: ${describeError(e)}`));
  while (!o.signal.aborted) {
    try {
      await o.clock.sleep(o.intervalMs, o.signal);
    } catch (e) {
      if (e instanceof AbortedError) return;
      throw e;
    }
    let requested = false;
    try {
      requested = await o.operator.drainRequested(o.workerId);
    } catch (e) {
      warn(o, `drain check failed (next round retries): ${describeError(e)}`);
    }
    if (requested && !o.signal.aborted) return handOver(o);
  }
}

async function handOver(o: DrainWatchOptions): Promise<void> {
  o.coordinator.stopTaking();
  const heldAtStart = o.coordinator.heldLeases().length;
  o.events.emit({ type: "worker-draining", leases: heldAtStart });
  const inTime = await withDeadline(
    o.scheduler.shutdown(),
    o.shutdownTimeoutMs,
    o.clock,
    () => new Error("timeout"),
  ).then(
    () => true,
    () => false,
  );
  // Past the bound no processor may checkpoint any more: the leases are handed back regardless.
  if (!inTime) o.scheduler.abandon();
  // Each consumer's own stop already let its lease go (released, or transferred in a handoff); what is
  // still held (a consumer past the bound, a finished lease) is released here.
  const outcomes = await Promise.all(
    o.coordinator.heldLeases().map((l) => o.coordinator.release(l.leaseKey).catch(() => ({ ok: false }))),
  );
  const stillHeld = outcomes.filter((r) => !r.ok).length;
  o.events.emit({ type: "worker-drained", released: heldAtStart - stillHeld });
}

function warn(o: DrainWatchOptions, message: string): void {
  o.events.emit({ type: "warning", message });
}
