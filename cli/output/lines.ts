// `--output lines`: one human line per meaningful engine event. Heartbeats (lease-renewed), table
// scans and per-batch records-processed are not printed; records/s and lag come as a periodic summary.
import type { KclEvent } from "../../src/core/events.ts";
import type { SummaryWindow } from "./summary.ts";

function time(at: number): string {
  return new Date(at).toISOString().slice(11, 23);
}

const HOW: Record<string, string> = {
  unowned: "was unowned",
  expired: "expired",
  released: "was released",
  stolen: "stolen",
};

/** The text of one event, without the time prefix; undefined for events lines mode does not print. */
export function describeEvent(e: KclEvent): string | undefined {
  switch (e.type) {
    case "worker-started":
      return `worker ${e.workerId} started: app ${e.app}, ${e.streams ? `streams ${e.streams.join(", ")}` : `stream ${e.stream}`}, lease table ${e.table}${e.region ? `, region ${e.region}` : ""}${e.endpoint ? `, endpoint ${e.endpoint}` : ""}`;
    case "worker-draining":
      return `worker draining (operator request): handing over ${e.leases} lease${e.leases === 1 ? "" : "s"}, taking no new ones until restarted`;
    case "worker-drained":
      return `worker drained: released ${e.released} lease${e.released === 1 ? "" : "s"}; idle until restarted`;
    case "worker-stopping":
      return `worker stopping (${e.reason})`;
    case "worker-stopped":
      return `worker stopped (${e.clean ? "clean" : "not clean"})`;
    case "lease-acquired":
      return `+ acquired ${e.leaseKey} (${HOW[e.how] ?? e.how}${e.previousOwner ? ` from ${e.previousOwner}` : ""}, counter ${e.leaseCounter})`;
    case "lease-lost":
      return `- lost ${e.leaseKey} (${e.reason}${e.newOwner ? `, now owned by ${e.newOwner}` : ""})`;
    case "lease-stolen":
      return `+ stole ${e.leaseKey} from ${e.from} to balance the fleet (counter ${e.leaseCounter})`;
    case "lease-released":
      return `- released ${e.leaseKey} (counter ${e.leaseCounter})`;
    case "lease-handoff-initiated":
      return `> asked ${e.from} to hand over ${e.leaseKey} to balance the fleet`;
    case "lease-handoff-requested":
      return `> handing ${e.leaseKey} over to ${e.to}: shutting its processor down, final checkpoint`;
    case "lease-handed-off":
      return `- handed ${e.leaseKey} over to ${e.to} (counter ${e.leaseCounter})`;
    case "lease-expired-observed":
      return `! lease ${e.leaseKey} of ${e.owner} expired (counter ${e.leaseCounter} unchanged for ${Math.round(e.unchangedForMs)} ms)`;
    case "assigner-role":
      return e.assigner
        ? `* this worker is now the fleet's assigner (scans the lease table, assigns and balances leases)${e.replaced ? `; replaced ${e.replaced}, silent for the lock's duration` : ""}`
        : "* this worker is no longer the fleet's assigner";
    case "capacity-warning":
      return `! ${e.message} (${e.leases} leases, capacity ${e.capacity})`;
    case "shard-sync":
      return e.leasesCreated.length > 0
        ? `shard sync: ${e.shards} shards, created leases ${e.leasesCreated.join(", ")} (${e.durationMs} ms)`
        : undefined;
    case "shard-state":
      // Routine transitions (initializing → processing → shutting-down) would triple every lease
      // line; print the ones that explain a stall: a detail (e.g. which parent it waits for) or retrying.
      return e.detail || e.state === "retrying"
        ? `${e.shardId} ${e.state}${e.detail ? ` (${e.detail})` : ""}`
        : undefined;
    case "shard-ended":
      return `${e.shardId} reached SHARD_END${e.childShardIds.length ? `; children ${e.childShardIds.join(", ")}` : ""}`;
    case "child-leases-created":
      return `created child leases ${e.childShardIds.join(", ")} of ${e.parentShardId}`;
    case "parent-lease-deleted":
      return `deleted finished parent lease ${e.leaseKey}`;
    case "checkpoint-written":
      return e.by === "auto"
        ? undefined
        : `checkpoint ${e.shardId} at ${e.sequenceNumber}${e.subSequenceNumber ? `/${e.subSequenceNumber}` : ""} (${e.by})`;
    case "processor-error":
      return `! processRecords failed on ${e.shardId} (attempt ${e.attempt}, ${e.records} records): ${e.error}; ${
        e.action === "retry"
          ? `retrying in ${e.retryInMs ?? "?"} ms`
          : e.action === "skip"
            ? `skipped ${e.firstSequenceNumber ?? "?"}..${e.lastSequenceNumber ?? "?"}`
            : "stopping (--on-error exit)"
      }`;
    case "throttled":
      return `! throttled on ${e.operation}${e.shardId ? ` (${e.shardId})` : ""}${e.leaseKey ? ` (${e.leaseKey})` : ""}; retrying in ${e.retryInMs} ms`;
    case "iterator-expired":
      return `! shard iterator expired on ${e.shardId}; resuming after the last record`;
    case "warning":
      return `! ${e.message}`;
    case "processor-slow":
      return e.stillRunning
        ? `! slow processor: ${e.callback} on ${e.shardId} still running after ${e.durationMs} ms (--processor-warn-ms ${e.warnMs})`
        : `! slow processor: ${e.callback} on ${e.shardId} took ${e.durationMs} ms (--processor-warn-ms ${e.warnMs}); it blocked the event loop meanwhile`;
    case "lease-write-failed":
      return `! lease ${e.operation} of ${e.leaseKey} failed (retrying): ${e.error}`;
    case "checkpoint-failed":
      return `! checkpoint of ${e.shardId} failed (${e.reason}): ${e.error}`;
    case "lease-renewed":
    case "lease-table-scanned":
    case "records-processed":
    case "records-fetched":
      return undefined;
    default:
      return undefined;
  }
}

/** One printable line (with time prefix) or undefined. */
export function formatLine(e: KclEvent): string | undefined {
  const text = describeEvent(e);
  return text === undefined ? undefined : `${time(e.at)} ${text}`;
}

function lag(ms: number | undefined): string {
  if (ms === undefined) return "?";
  return ms < 10_000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The periodic summary line: totals, then each shard's count and lag. */
export function formatSummary(at: number, w: SummaryWindow): string {
  const shards = Object.entries(w.shards)
    .map(([id, s]) => `${id} ${s.records} (lag ${lag(s.millisBehindLatest)})`)
    .join(", ");
  const checkpoints = w.autoCheckpoints ? `; ${w.autoCheckpoints} auto checkpoints` : "";
  return `${time(at)} records: ${w.records} in ${(w.intervalMs / 1000).toFixed(1)} s (${w.recordsPerSecond}/s), max lag ${lag(w.maxMillisBehindLatest)}${checkpoints}${shards ? `; ${shards}` : ""}`;
}
