// A hand-advanced Clock for deterministic simulations: time moves only when a test calls advance().
import type { Clock } from "../core/clock.ts";
import { AbortedError } from "../core/errors.ts";

interface Sleeper {
  deadline: number;
  seq: number;
  /** Wakes the sleeper and drops its abort listener (a long-lived signal must not collect one per sleep). */
  resolve: () => void;
}

/** Lets every pending promise continuation run (a macrotask turn drains all microtasks). */
export function flushAsync(turns = 3): Promise<void> {
  let p = Promise.resolve();
  for (let i = 0; i < turns; i++) p = p.then(() => new Promise<void>((r) => setImmediate(r)));
  return p;
}

export class FakeClock implements Clock {
  private t: number;
  private readonly wallOffset: number;
  private sleepers: Sleeper[] = [];
  private seq = 0;

  /**
   * @param startMonotonic monotonic origin (workers in one simulation may start at different values)
   * @param wallStart wall-clock epoch ms at monotonic = startMonotonic (skew one worker's by hours to test
   *   that nothing compares wall time)
   */
  constructor(startMonotonic = 0, wallStart = Date.UTC(2026, 0, 1)) {
    this.t = startMonotonic;
    this.wallOffset = wallStart - startMonotonic;
  }

  now(): number {
    return this.wallOffset + this.t;
  }

  monotonic(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortedError("sleep aborted"));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(new AbortedError("sleep aborted"));
      };
      const sleeper: Sleeper = {
        deadline: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Number of sleeps waiting for time to pass. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  /**
   * Moves time forward by `ms`, waking sleepers in deadline order and letting the woken code run
   * (until it sleeps again or settles) before moving on to the next deadline.
   */
  async advance(ms: number): Promise<void> {
    // Monotonic time never goes backwards; a negative step is a bug in the simulation.
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance(${ms}): ms must be a number ≥ 0`);
    const target = this.t + ms;
    await flushAsync();
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.t = Math.max(this.t, next.deadline);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
      await flushAsync();
    }
    this.t = target;
    await flushAsync();
  }

  private nextDue(target: number): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) {
      if (s.deadline > target) continue;
      if (!best || s.deadline < best.deadline || (s.deadline === best.deadline && s.seq < best.seq)) best = s;
    }
    return best;
  }
}
