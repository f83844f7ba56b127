// The MultiLangDaemon JSON-lines messages (Java KCL 2.x+ multilang `messages/*Message.java`), field for
// field: nulls are written, not omitted, because amazon_kclpy indexes keys such as subSequenceNumber.
import {
  DependencyError,
  InvalidCheckpointError,
  LeaseLostError,
  ThrottledError,
} from "../../src/core/errors.ts";
import type { CheckpointPosition, KinesisRecord } from "../../src/plugin.ts";

/** What the daemon sends; the child answers each with `status` {responseFor: action}. */
export type DaemonAction = "initialize" | "processRecords" | "leaseLost" | "shardEnded" | "shutdownRequested";

export function initializeMessage(shardId: string, start: CheckpointPosition) {
  return {
    action: "initialize",
    shardId,
    sequenceNumber: start.sequenceNumber,
    subSequenceNumber: start.subSequenceNumber,
  };
}

/** One record as JsonFriendlyRecord writes it: base64 data, arrival time in epoch ms, action "record". */
export function recordMessage(record: KinesisRecord) {
  return {
    data: Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength).toString("base64"),
    partitionKey: record.partitionKey,
    sequenceNumber: record.sequenceNumber,
    approximateArrivalTimestamp: record.approximateArrivalTimestamp.getTime(),
    subSequenceNumber: record.subSequenceNumber,
    action: "record",
  };
}

export function processRecordsMessage(records: readonly KinesisRecord[], millisBehindLatest?: number) {
  return {
    action: "processRecords",
    records: records.map(recordMessage),
    millisBehindLatest: millisBehindLatest ?? null,
  };
}

export const leaseLostMessage = () => ({ action: "leaseLost" });
export const shardEndedMessage = () => ({ action: "shardEnded" });
export const shutdownRequestedMessage = () => ({ action: "shutdownRequested" });

/** The daemon's answer to a child's checkpoint request: the request echoed, plus the exception name. */
export function checkpointResponse(
  sequenceNumber: string | null,
  subSequenceNumber: number | null,
  error: string | null,
) {
  return { action: "checkpoint", sequenceNumber, subSequenceNumber, error };
}

/** The Java checkpointer exception a child's client library knows for each kcl-ts checkpoint failure. */
export function javaExceptionName(error: unknown): string {
  if (error instanceof LeaseLostError) return "ShutdownException";
  if (error instanceof InvalidCheckpointError) return "IllegalArgumentException";
  if (error instanceof ThrottledError) return "ThrottlingException";
  if (error instanceof DependencyError) return "KinesisClientLibDependencyException";
  return "InvalidStateException";
}

/** A message from the child, validated: anything else is a protocol violation. */
export type ChildMessage =
  | { action: "status"; responseFor: string }
  | { action: "checkpoint"; sequenceNumber: string | null; subSequenceNumber: number | null };

/** Parses one stdout line. Empty lines are padding (clients write "\n{json}\n"): undefined. Throws on junk. */
export function parseChildLine(line: string): ChildMessage | undefined {
  if (line.trim() === "") return undefined;
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    throw new Error(`not JSON: ${preview(line)}`);
  }
  const m = data as Record<string, unknown> | null;
  if (m === null || typeof m !== "object" || Array.isArray(m))
    throw new Error(`not a JSON object: ${preview(line)}`);
  if (m.action === "status") {
    if (typeof m.responseFor !== "string") throw new Error(`status without responseFor: ${preview(line)}`);
    return { action: "status", responseFor: m.responseFor };
  }
  if (m.action === "checkpoint") {
    const seq = m.sequenceNumber ?? null;
    const sub = m.subSequenceNumber ?? null;
    if (seq !== null && typeof seq !== "string")
      throw new Error(`checkpoint sequenceNumber must be a string: ${preview(line)}`);
    if (sub !== null && (typeof sub !== "number" || !Number.isInteger(sub) || sub < 0)) {
      throw new Error(`checkpoint subSequenceNumber must be a whole number: ${preview(line)}`);
    }
    return { action: "checkpoint", sequenceNumber: seq, subSequenceNumber: sub };
  }
  throw new Error(
    `unknown action ${JSON.stringify(m.action)} (expected status or checkpoint): ${preview(line)}`,
  );
}

function preview(line: string): string {
  return JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line);
}
