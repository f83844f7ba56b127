// The movement log: which events explain why leases moved or work stalled, and their one-line text.
import type { KclEvent } from "../core/events.ts";
import { formatDuration } from "./format.ts";
import { Ring } from "./meters.ts";
import type { LogEntry, LogSeverity } from "./types.ts";

type Line = Pick<LogEntry, "severity" | "text" | "leaseKey">;

const list = (ids: string[]) => (ids.length === 0 ? "none" : ids.join(", "));

/** The log line for a movement event, or undefined for events that do not explain movement. */
export function describeMovement(e: KclEvent): Line | undefined {
  const line = (severity: LogSeverity, text: string, leaseKey?: string): Line => ({
    severity,
    text,
    leaseKey,
  });
  switch (e.type) {
    case "worker-started":
      return line("info", `worker started (lease table ${e.table})`);
    case "worker-draining":
      return line("warn", `draining (operator request): handing over ${e.leases} leases`);
    case "worker-drained":
      return line("info", `drained: released ${e.released} leases; idle until restarted`);
    case "worker-stopping":
      return line("info", `worker stopping: ${e.reason}`);
    case "worker-stopped":
      return line(e.clean ? "info" : "warn", `worker stopped${e.clean ? "" : " (not clean)"}`);
    case "lease-acquired": {
      const from = e.previousOwner ? ` from ${e.previousOwner}` : "";
      return line("info", `acquired ${e.leaseKey} (${e.how}${from})`, e.leaseKey);
    }
    case "lease-lost": {
      const to = e.newOwner ? ` to ${e.newOwner}` : "";
      return line("warn", `lost ${e.leaseKey}${to} (${e.reason})`, e.leaseKey);
    }
    case "lease-stolen":
      return line("warn", `stole ${e.leaseKey} from ${e.from}`, e.leaseKey);
    case "lease-released":
      return line("info", `released ${e.leaseKey}`, e.leaseKey);
    case "lease-handoff-initiated":
      return line("info", `asked ${e.from} to hand over ${e.leaseKey}`, e.leaseKey);
    case "lease-handoff-requested":
      return line("info", `handing ${e.leaseKey} over to ${e.to}`, e.leaseKey);
    case "lease-handed-off":
      return line("info", `handed ${e.leaseKey} over to ${e.to}`, e.leaseKey);
    case "lease-expired-observed":
      return line(
        "warn",
        `${e.leaseKey} of ${e.owner} expired (counter unchanged ${formatDuration(e.unchangedForMs)})`,
        e.leaseKey,
      );
    case "assigner-role":
      return e.assigner
        ? line("info", `became the fleet's assigner${e.replaced ? ` (replacing silent ${e.replaced})` : ""}`)
        : line("warn", "no longer the fleet's assigner");
    case "shard-ended":
      return line("info", `${e.shardId} ended, children ${list(e.childShardIds)}`, e.shardId);
    case "child-leases-created":
      return line(
        "info",
        `child leases ${list(e.childShardIds)} created for ${e.parentShardId}`,
        e.parentShardId,
      );
    case "parent-lease-deleted":
      return line("info", `parent lease ${e.leaseKey} deleted`, e.leaseKey);
    case "shard-sync":
      return e.leasesCreated.length === 0
        ? undefined
        : line("info", `shard sync: ${e.shards} shards, created ${list(e.leasesCreated)}`);
    case "processor-error": {
      const retry =
        e.action === "retry" && e.retryInMs !== undefined ? ` in ${formatDuration(e.retryInMs)}` : "";
      return line(
        "error",
        `processor error on ${e.shardId} (attempt ${e.attempt}, ${e.action}${retry}): ${e.error}`,
        e.shardId,
      );
    }
    case "throttled": {
      const key = e.shardId ?? e.leaseKey;
      const on = key ? ` on ${key}` : "";
      return line("warn", `throttled: ${e.operation}${on}, retry in ${formatDuration(e.retryInMs)}`, key);
    }
    case "iterator-expired":
      return line("warn", `iterator expired on ${e.shardId}`, e.shardId);
    case "lease-write-failed":
      return line("warn", `lease ${e.operation} of ${e.leaseKey} failed (retrying): ${e.error}`, e.leaseKey);
    case "checkpoint-failed":
      return line("warn", `checkpoint of ${e.shardId} failed (${e.reason}): ${e.error}`, e.shardId);
    case "capacity-warning":
      return line("warn", e.message);
    case "processor-slow":
      return line(
        "warn",
        `slow ${e.callback} on ${e.shardId}: ${e.stillRunning ? "running for " : ""}${formatDuration(e.durationMs)}`,
        e.shardId,
      );
    case "warning": {
      const key = e.shardId ?? e.leaseKey;
      return line("warn", key ? `${key}: ${e.message}` : e.message, key);
    }
    default:
      return undefined;
  }
}

/** Keeps the newest `capacity` lines; a line identical to the previous one bumps its count instead. */
export class EventLog {
  private readonly ring: Ring<LogEntry>;

  constructor(capacity = 100) {
    this.ring = new Ring(capacity);
  }

  /** O(1). Returns true when the event was logged. */
  add(e: KclEvent): boolean {
    const line = describeMovement(e);
    if (!line) return false;
    const last = this.ring.last();
    if (last && last.type === e.type && last.text === line.text) {
      last.count += 1;
      last.at = e.at;
      return true;
    }
    this.ring.push({ at: e.at, type: e.type, count: 1, ...line });
    return true;
  }

  /** Newest last; entries are copied so a snapshot never changes under a renderer. */
  entries(): LogEntry[] {
    return this.ring.toArray().map((entry) => ({ ...entry }));
  }
}
