// `leases list` rendering: one row per lease sized to the terminal, then a summary per owner.
import type { LeaseItem } from "./read.ts";
import { streamOf } from "./keys.ts";

export type LeaseState = "owned" | "unowned" | "finished" | "handoff";

export interface LeaseRow {
  leaseKey: string;
  owner: string;
  counter: string;
  checkpoint: string;
  parents: string;
  state: LeaseState;
  switches: string;
}

export function leaseState(item: LeaseItem): LeaseState {
  if (item.checkpoint === "SHARD_END") return "finished";
  if (typeof item.checkpointOwner === "string") return "handoff";
  return typeof item.leaseOwner === "string" ? "owned" : "unowned";
}

export function toRow(item: LeaseItem): LeaseRow {
  const sub = item.checkpointSubSequenceNumber;
  const checkpoint = item.checkpoint === undefined ? "-" : String(item.checkpoint);
  const parents = Array.isArray(item.parentShardId) ? item.parentShardId.join(",") : "";
  return {
    leaseKey: item.leaseKey,
    owner: typeof item.leaseOwner === "string" ? item.leaseOwner : "-",
    counter: item.leaseCounter === undefined ? "-" : String(item.leaseCounter),
    checkpoint: sub !== undefined && sub !== 0 && sub !== "0" ? `${checkpoint} +${sub}` : checkpoint,
    parents: parents || "-",
    state: leaseState(item),
    switches:
      item.ownerSwitchesSinceCheckpoint === undefined ? "0" : String(item.ownerSwitchesSinceCheckpoint),
  };
}

interface Column {
  header: string;
  key: keyof LeaseRow;
  /** Width it may shrink to; 0 = never shrinks. */
  min: number;
  /** Lower shrinks first: the lease key is the row's identity, so it goes last. */
  priority: number;
  /** Which end survives truncation: sequence numbers differ at the end, ids at both. */
  keep: "start" | "end";
  right?: boolean;
}

const COLUMNS: Column[] = [
  { header: "LEASE KEY", key: "leaseKey", min: 12, priority: 2, keep: "end" },
  { header: "OWNER", key: "owner", min: 10, priority: 1, keep: "start" },
  { header: "COUNTER", key: "counter", min: 0, priority: 0, keep: "start", right: true },
  { header: "CHECKPOINT", key: "checkpoint", min: 12, priority: 1, keep: "end" },
  { header: "PARENTS", key: "parents", min: 8, priority: 1, keep: "end" },
  { header: "STATE", key: "state", min: 0, priority: 0, keep: "start" },
  { header: "SWITCHES", key: "switches", min: 0, priority: 0, keep: "start", right: true },
];
const GAP = 2;

function truncate(text: string, width: number, keep: "start" | "end"): string {
  if (text.length <= width) return text;
  return keep === "end" ? `…${text.slice(text.length - width + 1)}` : `${text.slice(0, width - 1)}…`;
}

/** Column widths that fit `maxWidth` (undefined = no limit), shrinking the widest shrinkable first. */
function widths(rows: LeaseRow[], maxWidth: number | undefined): number[] {
  const w = COLUMNS.map((c) => Math.max(c.header.length, ...rows.map((r) => r[c.key].length)));
  if (maxWidth === undefined) return w;
  const total = () => w.reduce((a, b) => a + b, 0) + GAP * (w.length - 1);
  for (const priority of [1, 2]) {
    while (total() > maxWidth) {
      let widest = -1;
      COLUMNS.forEach((c, i) => {
        if (c.priority === priority && (w[i] as number) > Math.max(c.min, c.header.length)) {
          if (widest < 0 || (w[i] as number) > (w[widest] as number)) widest = i;
        }
      });
      if (widest < 0) break;
      w[widest] = (w[widest] as number) - 1;
    }
  }
  return w;
}

/**
 * The lease table as text lines; `maxWidth` is the terminal width (undefined when not a terminal).
 * `shardIds`: rows of one stream's section show the shard id (the key's last part) under SHARD.
 */
export function formatLeaseTable(items: LeaseItem[], maxWidth?: number, shardIds = false): string[] {
  const rows = items.map((item) => {
    const row = toRow(item);
    return shardIds ? { ...row, leaseKey: streamOf(item).shardId } : row;
  });
  const w = widths(rows, maxWidth);
  const header = (c: Column) => (shardIds && c.key === "leaseKey" ? "SHARD" : c.header);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const c = COLUMNS[i] as Column;
        const text = truncate(cell, w[i] as number, c.keep);
        return c.right ? text.padStart(w[i] as number) : text.padEnd(w[i] as number);
      })
      .join(" ".repeat(GAP))
      .trimEnd();
  return [line(COLUMNS.map(header)), ...rows.map((r) => line(COLUMNS.map((c) => r[c.key])))];
}

export interface LeaseSummary {
  leases: number;
  byOwner: Record<string, number>;
  unowned: number;
  finished: number;
  handoff: number;
}

/** Finished leases count as finished only (their owner, if any, is not holding live work). */
export function summarize(items: LeaseItem[]): LeaseSummary {
  const summary: LeaseSummary = { leases: items.length, byOwner: {}, unowned: 0, finished: 0, handoff: 0 };
  for (const item of items) {
    const state = leaseState(item);
    if (state === "finished") summary.finished += 1;
    else if (typeof item.leaseOwner === "string") {
      summary.byOwner[item.leaseOwner] = (summary.byOwner[item.leaseOwner] ?? 0) + 1;
      if (state === "handoff") summary.handoff += 1;
    } else summary.unowned += 1;
  }
  return summary;
}

export function formatSummary(s: LeaseSummary): string[] {
  const owners = Object.entries(s.byOwner).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(8, ...owners.map(([o]) => o.length));
  return [
    `${s.leases} lease${s.leases === 1 ? "" : "s"}; ${owners.length} owner${owners.length === 1 ? "" : "s"}`,
    ...owners.map(([owner, n]) => `  ${owner.padEnd(width)}  ${n}`),
    `  ${"unowned".padEnd(width)}  ${s.unowned}`,
    `  ${"finished".padEnd(width)}  ${s.finished}`,
    ...(s.handoff ? [`  ${"handoff".padEnd(width)}  ${s.handoff} (included above)`] : []),
  ];
}
