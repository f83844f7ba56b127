// `--output json`: one JSON object per line. Every engine event passes through as-is except the
// high-frequency ones: lease-renewed, lease-table-scanned and records-fetched are dropped, and records-processed is
// folded into a periodic {"type":"records-summary"} object (see summary.ts).
import type { KclEvent } from "../../src/core/events.ts";
import type { SummaryWindow } from "./summary.ts";

const DROPPED = new Set<KclEvent["type"]>([
  "lease-renewed",
  "lease-table-scanned",
  "records-fetched",
  "records-processed",
]);

export function formatJson(e: KclEvent): string | undefined {
  return DROPPED.has(e.type) ? undefined : JSON.stringify(e);
}

export function formatJsonSummary(workerId: string, at: number, w: SummaryWindow): string {
  return JSON.stringify({ type: "records-summary", workerId, at, ...w });
}
