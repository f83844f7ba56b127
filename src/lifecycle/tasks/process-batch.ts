// PROCESSING: one batch per run — fetch (or redeliver after a failure), processRecords, auto checkpoint.
import { watchCallback } from "../slow-callback.ts";
import { positionOf } from "../../checkpoint/position.ts";
import { compareCheckpoints, type ExtendedSequenceNumber } from "../../leases/lease.ts";
import type { KinesisRecord } from "../../plugin.ts";
import type { ConsumerRuntime } from "../runtime.ts";
import type { TaskOutcome } from "../states.ts";
import type { StartPosition } from "./start-position.ts";
import { onCallbackFailure } from "./failures.ts";

/** Where a reopened record source must resume so nothing delivered is delivered again, and nothing is skipped. */
function resumePosition(rt: ConsumerRuntime): StartPosition {
  const pendingLast = rt.pending?.batch.records.at(-1);
  if (pendingLast) return { position: positionOf(pendingLast) };
  const delivered = rt.checkpointer.largestDelivered;
  if (delivered) return { position: delivered };
  // Nothing delivered yet: the recorded start (a LATEST lease reopened must not jump to a later "now").
  return rt.start ?? { position: rt.o.lease.checkpoint };
}

/** A record source that failed is closed; the next run reopens it where delivery stopped. */
export function dropRecordSource(rt: ConsumerRuntime): void {
  rt.records?.close();
  rt.records = undefined;
}

export async function processBatch(rt: ConsumerRuntime): Promise<TaskOutcome> {
  const { o } = rt;
  if (!rt.pending) {
    if (!rt.records) {
      const start = resumePosition(rt);
      rt.records = o.openRecords({
        lease: o.lease,
        start: start.position,
        timestamp: start.timestamp,
        signal: rt.signal,
      });
    }
    const batch = await rt.records.next();
    const reason = rt.stopReason();
    // Fetched but not delivered: the next owner reads these again from the checkpoint.
    if (reason) return { kind: "stop", reason };
    rt.pending = { batch, attempt: 0 };
  }
  const { batch } = rt.pending;
  // After a failed attempt the processor may have checkpointed part of the batch: that part is done.
  const records = notCheckpointed(batch.records, rt.checkpointer.lastCheckpoint);
  const last = records.at(-1);
  if (last && o.leases.untilRenewerFresh) {
    // Never deliver on a lease that may be gone: wait while the lease thread is silent.
    try {
      await o.leases.untilRenewerFresh(rt.signal);
    } catch {
      return { kind: "stop", reason: rt.stopReason() ?? "lease-lost" };
    }
  }
  if (last) {
    const position = positionOf(last);
    rt.checkpointer.markDelivered(position);
    const started = o.clock.monotonic();
    let processed = true;
    try {
      await watchCallback(rt, "processRecords", () =>
        rt.processor!.processRecords({
          records,
          checkpointer: rt.checkpointer.checkpointer,
          millisBehindLatest: batch.millisBehindLatest,
          shardId: rt.processorShardId,
          isAtShardEnd: batch.isAtShardEnd,
          signal: rt.signal,
        }),
      );
    } catch (error) {
      const outcome = await onCallbackFailure(rt, "processRecords", error, records);
      if (outcome.kind !== "skip") return outcome;
      processed = false;
    }
    if (processed) {
      rt.reportedLag = batch.millisBehindLatest;
      o.events.emit({
        type: "records-processed",
        shardId: rt.shardId,
        count: records.length,
        bytes: byteCount(records),
        millisBehindLatest: batch.millisBehindLatest,
        lastSequenceNumber: last.sequenceNumber,
        durationMs: o.clock.monotonic() - started,
      });
    }
    rt.pending = undefined;
    rt.attempt = 0;
    rt.show("processing");
    await rt.auto.processed(position);
  } else {
    // Java's callProcessRecordsEvenForEmptyRecordList: a quiet shard still gets a call (to flush, say).
    if (o.config.processEmptyBatches) {
      try {
        await rt.processor!.processRecords({
          records: [],
          checkpointer: rt.checkpointer.checkpointer,
          millisBehindLatest: batch.millisBehindLatest,
          shardId: rt.processorShardId,
          isAtShardEnd: batch.isAtShardEnd,
          signal: rt.signal,
        });
      } catch (error) {
        const outcome = await onCallbackFailure(rt, "processRecords", error, []);
        if (outcome.kind !== "skip") return outcome;
      }
      rt.attempt = 0;
    }
    rt.pending = undefined;
    reportLag(rt, batch.millisBehindLatest);
  }
  if (batch.isAtShardEnd) {
    rt.endBatch = batch;
    return { kind: "end-of-shard" };
  }
  return { kind: last ? "done" : "blocked" };
}

/** An empty batch still moves the lag (usually to 0): report it, but only when it changed. */
function reportLag(rt: ConsumerRuntime, millisBehindLatest: number | undefined): void {
  if (millisBehindLatest === undefined || rt.reportedLag === millisBehindLatest) return;
  rt.reportedLag = millisBehindLatest;
  rt.o.events.emit({
    type: "records-processed",
    shardId: rt.shardId,
    count: 0,
    bytes: 0,
    millisBehindLatest,
    durationMs: 0,
  });
}

function byteCount(records: readonly { data: Uint8Array }[]): number {
  let bytes = 0;
  for (const r of records) bytes += r.data.byteLength;
  return bytes;
}

/**
 * The records after `checkpoint`. A batch is in (sequence, sub-sequence) order, so once one record is
 * after it every later one is: only the leading records are compared (usually just the first).
 */
function notCheckpointed(records: KinesisRecord[], checkpoint: ExtendedSequenceNumber): KinesisRecord[] {
  let first = 0;
  while (first < records.length && compareCheckpoints(positionOf(records[first]!), checkpoint) <= 0) first++;
  return first === 0 ? records : records.slice(first);
}
