// What a throwing processor callback leads to: lease loss, a stop the processor honoured, or the
// --on-error policy (retry after backoff, skip with an event naming what was skipped, exit).
import { describeError, LeaseLostError, ProcessorFailedError } from "../../core/errors.ts";
import type { KinesisRecord } from "../../plugin.ts";
import { decideOnFailure } from "../processor-runner.ts";
import type { ConsumerRuntime } from "../runtime.ts";
import type { TaskOutcome } from "../states.ts";

export type Callback = "initialize" | "processRecords" | "shardEnded";

/** `skip` means: the caller moves on as if the callback had succeeded. */
export type FailureOutcome = TaskOutcome | { kind: "skip" };

export async function onCallbackFailure(
  rt: ConsumerRuntime,
  callback: Callback,
  error: unknown,
  records: readonly KinesisRecord[] = [],
): Promise<FailureOutcome> {
  if (error instanceof LeaseLostError || rt.checkpointer.lost) return { kind: "stop", reason: "lease-lost" };
  const reason = rt.stopReason();
  // The processor gave up because we aborted its signal: that is the stop, not a failure.
  if (reason && rt.signal.aborted) return { kind: "stop", reason };

  rt.attempt += 1;
  // Skipping initialize would deliver records to an uninitialized processor: only retry or exit apply.
  const policy = callback === "initialize" && rt.o.config.onError === "skip" ? "retry" : rt.o.config.onError;
  const decision = decideOnFailure(policy, error, rt.attempt, rt.o.random);
  rt.o.events.emit({
    type: "processor-error",
    shardId: rt.shardId,
    error: `${callback}: ${decision.error}`,
    attempt: rt.attempt,
    action: decision.action,
    retryInMs: decision.retryInMs,
    firstSequenceNumber: records[0]?.sequenceNumber,
    lastSequenceNumber: records.at(-1)?.sequenceNumber,
    records: records.length,
  });
  switch (decision.action) {
    case "retry":
      rt.show(
        "retrying",
        `${callback} failed (attempt ${rt.attempt}), retry in ${decision.retryInMs} ms: ${decision.error}`,
      );
      await rt.o.clock.sleep(decision.retryInMs ?? 0, rt.signal);
      return { kind: "failed" };
    case "skip":
      rt.attempt = 0;
      return { kind: "skip" };
    case "exit":
      rt.fatal(
        new ProcessorFailedError(
          `${callback} failed on ${rt.shardId} and --on-error is exit: ${describeError(error)}. Fix the processor, or use --on-error retry (redeliver) or skip (move on).`,
          { shardId: rt.shardId, leaseKey: rt.leaseKey, workerId: rt.o.workerId },
          { cause: error },
        ),
      );
      return { kind: "stop", reason: "requested" };
  }
}
