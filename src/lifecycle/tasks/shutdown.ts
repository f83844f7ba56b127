// The two ways a consumer winds down: leaseLost (no checkpoint possible) and shutdownRequested
// (graceful stop or handoff: the processor checkpoints, then auto mode writes what it processed).
import { watchCallback } from "../slow-callback.ts";
import { DYNAMODB_THROTTLE_BACKOFF, backoffDelay } from "../../core/backoff.ts";
import { describeError, LeaseLostError } from "../../core/errors.ts";
import type { ConsumerRuntime } from "../runtime.ts";
import type { TaskOutcome } from "../states.ts";

/** A callback that fails while winding down cannot be retried: report it and carry on. */
function reportWindDownFailure(rt: ConsumerRuntime, callback: string, error: unknown): void {
  rt.o.events.emit({
    type: "processor-error",
    shardId: rt.shardId,
    error: `${callback}: ${describeError(error)}`,
    attempt: 1,
    action: "skip",
    records: 0,
  });
}

export async function loseLease(rt: ConsumerRuntime): Promise<TaskOutcome> {
  rt.records?.close();
  rt.checkpointer.markLost();
  if (!rt.processor?.leaseLost) return { kind: "done" };
  try {
    const processor = rt.processor;
    await watchCallback(rt, "leaseLost", () => processor.leaseLost?.({ shardId: rt.processorShardId }));
  } catch (error) {
    reportWindDownFailure(rt, "leaseLost", error);
    return { kind: "failed" };
  }
  return { kind: "done" };
}

/** The final auto checkpoint gets a few tries: a throttled write here would mean duplicates for the next owner. */
async function finalFlush(rt: ConsumerRuntime): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rt.auto.flush("shutdown");
      return;
    } catch (error) {
      if (error instanceof LeaseLostError || attempt >= 4) throw error;
      await rt.o.clock.sleep(backoffDelay(DYNAMODB_THROTTLE_BACKOFF, attempt, rt.o.random));
    }
  }
}

export async function requestShutdown(rt: ConsumerRuntime): Promise<TaskOutcome> {
  rt.records?.close();
  if (rt.processor?.shutdownRequested) {
    try {
      const processor = rt.processor;
      await watchCallback(rt, "shutdownRequested", () =>
        processor.shutdownRequested?.({
          shardId: rt.processorShardId,
          checkpointer: rt.checkpointer.checkpointer,
        }),
      );
    } catch (error) {
      if (error instanceof LeaseLostError) return { kind: "stop", reason: "lease-lost" };
      reportWindDownFailure(rt, "shutdownRequested", error);
    }
  }
  try {
    await finalFlush(rt);
  } catch (error) {
    if (error instanceof LeaseLostError) return { kind: "stop", reason: "lease-lost" };
    rt.o.events.emit({
      type: "warning",
      shardId: rt.shardId,
      message: `final checkpoint of ${rt.shardId} failed: ${describeError(error)}; the next owner may see records again`,
    });
    return { kind: "failed" };
  }
  return { kind: "done" };
}
