// Running totals of lease, checkpoint, throttle and error events: the counters /metrics exports and
// the dashboard shows, counted in one place so the two can never disagree. O(1) per event.
import type { KclEvent } from "../core/events.ts";
import type { WorkerCounters } from "./types.ts";

/** Kinesis operations as the engine names them in throttled events; every other one is a lease-table call. */
const KINESIS_OPERATIONS = new Set([
  "GetRecords",
  "GetShardIterator",
  "ListShards",
  "DescribeStream",
  "DescribeStreamSummary",
  "DescribeStreamConsumer",
  "RegisterStreamConsumer",
  "SubscribeToShard",
]);

/** Which AWS service a throttled operation belongs to. */
export function throttledService(operation: string): "kinesis" | "dynamodb" {
  return KINESIS_OPERATIONS.has(operation) ? "kinesis" : "dynamodb";
}

export function emptyCounters(): WorkerCounters {
  return {
    leaseTakes: { unowned: 0, expired: 0, released: 0, stolen: 0 },
    leasesLost: 0,
    renewals: { success: 0, throttled: 0, failed: 0, lost: 0 },
    checkpoints: { success: 0, failed: 0 },
    throttles: { kinesis: 0, dynamodb: 0 },
    processorErrors: 0,
    shardSyncs: 0,
  };
}

/** Counts one event into `c`. Returns nothing: callers snapshot with copyCounters. */
export function countEvent(c: WorkerCounters, e: KclEvent): void {
  switch (e.type) {
    case "lease-renewed":
      c.renewals.success += 1;
      return;
    case "lease-acquired":
      // The thief also emits lease-stolen for the same take: count the take once, here.
      c.leaseTakes[e.how] += 1;
      return;
    case "lease-lost":
      c.leasesLost += 1;
      // A renewal that found the lease fenced, or could not land before the lease ran out.
      if (e.reason === "renew-failed" || e.reason === "expired-locally") c.renewals.lost += 1;
      return;
    case "lease-write-failed":
      if (e.operation === "renew") c.renewals.failed += 1;
      return;
    case "throttled":
      c.throttles[throttledService(e.operation)] += 1;
      if (e.operation === "renew") c.renewals.throttled += 1;
      return;
    case "checkpoint-written":
      c.checkpoints.success += 1;
      return;
    case "checkpoint-failed":
      c.checkpoints.failed += 1;
      return;
    case "processor-error":
      c.processorErrors += 1;
      return;
    case "shard-sync":
      c.shardSyncs += 1;
      return;
    default:
      return;
  }
}

export function copyCounters(c: WorkerCounters): WorkerCounters {
  return {
    ...c,
    leaseTakes: { ...c.leaseTakes },
    renewals: { ...c.renewals },
    checkpoints: { ...c.checkpoints },
    throttles: { ...c.throttles },
  };
}
