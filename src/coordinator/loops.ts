// Periodic background duties of a running worker: shard sync every shardSyncMs and finished-lease
// cleanup. A failing round is reported and retried next round; it never stops the worker.
import type { Clock } from "../core/clock.ts";
import { AbortedError, describeError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";

export interface PeriodicOptions {
  name: string;
  intervalMs: number;
  clock: Clock;
  events: EventBus;
  signal: AbortSignal;
  /** Runs the first round at once instead of after one interval. */
  immediate?: boolean;
}

/** Runs `round` every intervalMs (fixed delay) until the signal aborts. Never rejects. */
export async function runPeriodically(o: PeriodicOptions, round: () => Promise<unknown>): Promise<void> {
  let first = true;
  while (!o.signal.aborted) {
    if (!first || !o.immediate) {
      try {
        await o.clock.sleep(o.intervalMs, o.signal);
      } catch (error) {
        if (error instanceof AbortedError) return;
        throw error;
      }
    }
    first = false;
    try {
      await round();
    } catch (error) {
      if (o.signal.aborted) return;
      o.events.emit({
        type: "warning",
        message: `${o.name} failed (next round retries): ${describeError(error)}`,
      });
    }
  }
}
