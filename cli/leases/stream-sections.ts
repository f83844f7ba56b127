// `leases list` in a multi-stream table: each lease's stream (from its Java multi-stream key, else its
// `streamName` attribute) and one section per stream.
import { parseStreamId } from "../../src/streams/identity.ts";
import { formatLeaseTable, leaseState } from "./format.ts";
import { streamOf } from "./keys.ts";
import type { LeaseItem } from "./read.ts";

/**
 * Multi-stream tables: one section per stream (title, then its rows keyed by shard id), streams by
 * name; leases without a stream come last under "(no stream)". Single-stream tables: the plain table.
 */
export function formatLeaseSections(items: LeaseItem[], maxWidth?: number): string[] {
  const byStream = new Map<string, LeaseItem[]>();
  for (const item of items) {
    const key = streamOf(item).streamId ?? "";
    byStream.set(key, [...(byStream.get(key) ?? []), item]);
  }
  if (byStream.size === 1 && byStream.has("")) return formatLeaseTable(items, maxWidth);
  const lines: string[] = [];
  const ids = [...byStream.keys()].sort((a, b) => (a === "" ? 1 : b === "" ? -1 : byName(a, b)));
  for (const id of ids) {
    const group = byStream.get(id) as LeaseItem[];
    if (lines.length > 0) lines.push("");
    const open = group.filter((i) => leaseState(i) !== "finished").length;
    const counts = `${group.length} lease${group.length === 1 ? "" : "s"}, ${open} open`;
    if (id === "") {
      lines.push(`(no stream) — ${counts}`);
      lines.push(...formatLeaseTable(group, maxWidth));
    } else {
      const stream = streamOf(group[0] as LeaseItem).stream as string;
      lines.push(`stream ${stream} (${id}) — ${counts}`);
      lines.push(...formatLeaseTable(group, maxWidth, true));
    }
  }
  return lines;
}

function byName(a: string, b: string): number {
  const name = (id: string) => parseStreamId(id)?.name ?? id;
  return name(a).localeCompare(name(b)) || a.localeCompare(b);
}
