// What the demo prints: lease movements from every worker with elapsed time, and a compact lease
// map (who owns which shard) whenever it changes.
import type { KclEvent } from "../../src/core/events.ts";
import type { LeaseItem } from "../leases/read.ts";
import { describeEvent } from "../output/lines.ts";

/** Events worth a line in the demo: lease movement, resharding, lifecycle, failures. */
const SHOWN = new Set<KclEvent["type"]>([
  "worker-started",
  "worker-stopping",
  "worker-stopped",
  "lease-acquired",
  "lease-lost",
  "lease-stolen",
  "lease-released",
  "lease-expired-observed",
  "shard-ended",
  "child-leases-created",
  "processor-error",
  "warning",
]);

/** shardId-000000000004 → 4 (the demo's stream has few shards; full ids would crowd the map). */
export function shardLabel(id: string): string {
  const match = id.match(/^shardId-0*(\d+)$/);
  return match ? (match[1] as string) : id;
}

export function elapsed(ms: number): string {
  return `[${(ms / 1000).toFixed(1).padStart(5)}s]`;
}

export function eventLine(elapsedMs: number, worker: string, event: KclEvent): string | undefined {
  let text: string | undefined;
  if (event.type === "shard-state" && event.state === "waiting-on-parents" && event.detail) {
    text = `${event.shardId} ${event.detail} (keeps the order per key)`;
  } else if (SHOWN.has(event.type)) {
    text = describeEvent(event);
  }
  return text === undefined ? undefined : `${elapsed(elapsedMs)} ${worker.padEnd(9)} ${text}`;
}

/** "worker-A [0 1] · worker-B [2 3] · unowned [4] · finished [0]" */
export function leaseMap(items: LeaseItem[]): string {
  const owners = new Map<string, string[]>();
  const unowned: string[] = [];
  const finished: string[] = [];
  for (const item of items) {
    const label = shardLabel(item.leaseKey);
    if (item.checkpoint === "SHARD_END") finished.push(label);
    else if (typeof item.leaseOwner === "string")
      owners.set(item.leaseOwner, [...(owners.get(item.leaseOwner) ?? []), label]);
    else unowned.push(label);
  }
  const parts = [...owners].sort(([a], [b]) => a.localeCompare(b)).map(([o, s]) => `${o} [${s.join(" ")}]`);
  if (unowned.length) parts.push(`unowned [${unowned.join(" ")}]`);
  if (finished.length) parts.push(`finished [${finished.join(" ")}]`);
  return parts.length ? parts.join(" · ") : "(no leases yet)";
}
