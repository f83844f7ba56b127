// Cell formatting for the dashboard: fixed-width fitting, checkpoint abbreviation, sparklines, colours.
import type { OwnedLeaseState } from "../../src/status/index.ts";
import { parseLeaseKey } from "../../src/streams/identity.ts";

/** Pads or cuts `text` to exactly `width` columns; cut text ends with an ellipsis. */
export function fit(text: string, width: number, align: "left" | "right" = "left"): string {
  if (width <= 0) return "";
  if (text.length > width) return width === 1 ? "…" : `${text.slice(0, width - 1)}…`;
  return align === "left" ? text.padEnd(width) : text.padStart(width);
}

/** Like fit, but keeps the end: shard ids and sequence numbers differ in their last digits. */
export function fitTail(text: string, width: number): string {
  if (width <= 0) return "";
  if (text.length > width) return width === 1 ? "…" : `…${text.slice(text.length - width + 1)}`;
  return text.padEnd(width);
}

/**
 * The SHARD cell: the lease key, or in multi-stream mode `stream/shardId` (rows sort by lease key, so
 * each stream's shards stay together). When that does not fit: the `shardId-` prefix goes first, then
 * the stream name is cut; the shard's digits always stay.
 */
export function shardLabel(leaseKey: string, width: number): string {
  const { stream, shardId } = parseLeaseKey(leaseKey);
  if (!stream) return fitTail(leaseKey, width);
  const full = `${stream.name}/${shardId}`;
  if (full.length <= width) return full.padEnd(width);
  const digits = shardId.replace(/^shardId-/, "");
  const room = width - digits.length - 1;
  if (room < 2) return fitTail(full, width);
  const name = stream.name.length <= room ? stream.name : `${stream.name.slice(0, room - 1)}…`;
  return `${name}/${digits}`.padEnd(width);
}

/** Keeps both ends (worker ids: host name first, random suffix last). */
export function fitMiddle(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  if (width < 5) return fit(text, width);
  const head = Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

/** A checkpoint in `width` columns: sentinels verbatim, sequence numbers by their last digits. */
export function abbreviateCheckpoint(sequenceNumber: string | undefined, sub: number, width: number): string {
  if (sequenceNumber === undefined) return fit("-", width);
  const suffix = sub > 0 ? `+${sub}` : "";
  if (sequenceNumber.length + suffix.length <= width) return fit(sequenceNumber + suffix, width);
  if (!/^\d+$/.test(sequenceNumber)) return fit(sequenceNumber, width);
  return fitTail(sequenceNumber, Math.max(1, width - suffix.length)) + suffix;
}

const BARS = "▁▂▃▄▅▆▇█";

/** The last `width` samples as bars scaled to the largest one shown (all-zero reads as a flat floor). */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return "";
  const shown = values.slice(-width);
  const max = Math.max(0, ...shown);
  const bars = shown.map(
    (v) => BARS[max === 0 ? 0 : Math.min(7, Math.floor((Math.max(0, v) / max) * 7.999))],
  );
  return bars.join("").padStart(width);
}

export type Colour = "green" | "yellow" | "red" | "gray" | "cyan" | "magenta" | undefined;

/** Heartbeat age against the failover time: the renewer beats every ~third of it. */
export function heartbeatColour(ageMs: number, failoverMs: number): Colour {
  if (ageMs < failoverMs / 2) return "green";
  if (ageMs < (failoverMs * 4) / 5) return "yellow";
  return "red";
}

export function lagColour(lagMs: number | undefined): Colour {
  if (lagMs === undefined) return "gray";
  if (lagMs < 1000) return "green";
  if (lagMs < 60_000) return "yellow";
  return "red";
}

const STATE_LABEL: Record<OwnedLeaseState, string> = {
  acquired: "acquired",
  "waiting-on-parents": "wait parents",
  initializing: "initializing",
  processing: "processing",
  retrying: "retrying",
  "shard-end": "shard end",
  "lease-lost": "lease lost",
  "shutting-down": "shutting down",
  "shut-down": "shut down",
};

export function stateLabel(state: OwnedLeaseState): string {
  return STATE_LABEL[state];
}

export function stateColour(state: OwnedLeaseState): Colour {
  switch (state) {
    case "processing":
      return "green";
    case "retrying":
    case "lease-lost":
      return "red";
    case "waiting-on-parents":
    case "shutting-down":
      return "yellow";
    case "shard-end":
    case "shut-down":
      return "gray";
    default:
      return "cyan";
  }
}

/** HH:MM:SS in the operator's time zone (the process TZ). */
export function clockTime(at: number): string {
  const d = new Date(at);
  const two = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
