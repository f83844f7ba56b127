// Turns what a plugin passes to checkpoint() into an extended sequence number, rejecting malformed input.
import { type ErrorContext, InvalidCheckpointError } from "../core/errors.ts";
import type { ExtendedSequenceNumber } from "../leases/lease.ts";
import type { KinesisRecord } from "../plugin.ts";

/** Kinesis sequence numbers are decimal strings of up to 128 digits. */
const SEQUENCE_NUMBER = /^\d{1,128}$/;

export const SHARD_END: ExtendedSequenceNumber = Object.freeze({
  sequenceNumber: "SHARD_END",
  subSequenceNumber: 0,
});

export function isShardEnd(position: ExtendedSequenceNumber): boolean {
  return position.sequenceNumber === "SHARD_END";
}

export function formatPosition(position: ExtendedSequenceNumber): string {
  return position.subSequenceNumber
    ? `${position.sequenceNumber}/${position.subSequenceNumber}`
    : position.sequenceNumber;
}

export function positionOf(
  record: Pick<KinesisRecord, "sequenceNumber" | "subSequenceNumber">,
): ExtendedSequenceNumber {
  return { sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber ?? 0 };
}

/**
 * checkpoint(seq, sub?) or checkpoint(record) → a position; undefined for checkpoint() ("the last delivered").
 * SHARD_END is accepted as a string so a plugin can finish a shard explicitly in shardEnded.
 */
export function parseCheckpointTarget(
  target: string | KinesisRecord | undefined,
  subSequenceNumber: number | undefined,
  context: ErrorContext,
): ExtendedSequenceNumber | undefined {
  if (target === undefined || target === null) return undefined;
  if (typeof target === "object") {
    if (typeof target.sequenceNumber !== "string") {
      throw new InvalidCheckpointError(
        `checkpoint(record): the record has no string sequenceNumber (got ${typeof target.sequenceNumber}). Pass a record as delivered to processRecords.`,
        context,
      );
    }
    return parseCheckpointTarget(target.sequenceNumber, target.subSequenceNumber ?? 0, context);
  }
  if (typeof target !== "string") {
    throw new InvalidCheckpointError(
      `checkpoint(${String(target)}): a sequence number must be a decimal string, not a ${typeof target}. Pass record.sequenceNumber (numbers lose precision).`,
      context,
    );
  }
  const sub = subSequenceNumber ?? 0;
  if (!Number.isInteger(sub) || sub < 0) {
    throw new InvalidCheckpointError(
      `checkpoint("${target}", ${String(subSequenceNumber)}): the sub-sequence number must be a whole number ≥ 0. Pass record.subSequenceNumber.`,
      context,
    );
  }
  if (target === "SHARD_END") return SHARD_END;
  if (!SEQUENCE_NUMBER.test(target)) {
    throw new InvalidCheckpointError(
      `checkpoint("${target}"): not a Kinesis sequence number (1–128 decimal digits). Pass record.sequenceNumber, or call checkpoint() for the last delivered record.`,
      context,
    );
  }
  return { sequenceNumber: target, subSequenceNumber: sub };
}
