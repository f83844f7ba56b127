// INITIALIZING: create the processor (factory: once per lease acquisition), call initialize, open the reader.
import { watchCallback } from "../slow-callback.ts";
import { LeaseLostError } from "../../core/errors.ts";
import { createProcessor } from "../processor-runner.ts";
import type { ConsumerRuntime } from "../runtime.ts";
import type { TaskOutcome } from "../states.ts";
import { onCallbackFailure } from "./failures.ts";
import { firstStart } from "./start-position.ts";

export async function initializeShard(rt: ConsumerRuntime): Promise<TaskOutcome> {
  const { o } = rt;
  const lease = o.lease;
  try {
    rt.processor ??= await createProcessor(o.processor, {
      shardId: rt.processorShardId,
      streamName: o.streamName ?? o.config.stream,
      applicationName: o.config.app,
      workerId: o.workerId,
    });
    const processor = rt.processor;
    if (processor.initialize) {
      await watchCallback(rt, "initialize", () =>
        processor.initialize?.({
          shardId: rt.processorShardId,
          streamName: o.streamName ?? o.config.stream,
          checkpoint: { ...lease.checkpoint },
          pendingCheckpoint: lease.pendingCheckpoint ? { ...lease.pendingCheckpoint } : undefined,
        }),
      );
    }
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    const outcome = await onCallbackFailure(rt, "initialize", error);
    if (outcome.kind !== "skip") return outcome;
  }
  const start = await firstStart(rt);
  rt.records = o.openRecords({ lease, start: start.position, timestamp: start.timestamp, signal: rt.signal });
  return { kind: "done" };
}
