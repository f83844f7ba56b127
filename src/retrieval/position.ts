// Where a shard iterator starts for a checkpoint, and which fetched records are already behind it.
import { AbortedError, ConfigurationError, InvalidCheckpointError } from "../core/errors.ts";
import type { StartingPosition } from "../kinesis/port.ts";
import { compareCheckpoints, type ExtendedSequenceNumber, isSentinel } from "../leases/lease.ts";
import type { KinesisRecord } from "../plugin.ts";

/**
 * Iterator for a checkpoint (Java's IteratorBuilder): a sentinel opens the same-named type; a sequence
 * number opens AT (not AFTER) it, and `isAfter` then drops what the checkpoint already covers.
 * Returns undefined for SHARD_END (nothing left to read).
 */
export function startingPosition(
  start: ExtendedSequenceNumber,
  timestamp: Date | undefined,
  shardId: string,
): StartingPosition | undefined {
  switch (start.sequenceNumber) {
    case "SHARD_END":
      return undefined;
    case "TRIM_HORIZON":
      return { type: "TRIM_HORIZON" };
    case "LATEST":
      return { type: "LATEST" };
    case "AT_TIMESTAMP":
      if (!timestamp) {
        throw new ConfigurationError(
          `Shard ${shardId} starts AT_TIMESTAMP but no timestamp was given: the lease table stores only ` +
            "the sentinel. Set --timestamp (ISO 8601) together with --initial-position AT_TIMESTAMP.",
          { shardId, option: "timestamp" },
        );
      }
      return { type: "AT_TIMESTAMP", timestamp };
    default:
      if (!/^\d+$/.test(start.sequenceNumber)) {
        throw new InvalidCheckpointError(
          `Shard ${shardId} has a malformed checkpoint "${start.sequenceNumber}": expected decimal digits or ` +
            "TRIM_HORIZON, LATEST, AT_TIMESTAMP, SHARD_END. Fix or delete the lease row.",
          { shardId, leaseKey: shardId },
        );
      }
      return { type: "AT_SEQUENCE_NUMBER", sequenceNumber: start.sequenceNumber };
  }
}

/** True when `record` comes after `cursor` ((sequence, sub-sequence) order; sentinels cover nothing). */
export function isAfter(record: KinesisRecord, cursor: ExtendedSequenceNumber): boolean {
  if (isSentinel(cursor.sequenceNumber)) return true;
  return compareCheckpoints(record, cursor) > 0;
}

/**
 * The records after `cursor`, from records in (sequence, sub-sequence) order as a shard returns them:
 * once one is after the cursor, so is every later one, so only the leading ones are compared.
 */
export function recordsAfter(records: KinesisRecord[], cursor: ExtendedSequenceNumber): KinesisRecord[] {
  let first = 0;
  while (first < records.length && !isAfter(records[first]!, cursor)) first++;
  return first === 0 ? records : records.slice(first);
}

/** Settles like `promise`, or rejects with AbortedError as soon as `signal` aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(new AbortedError("shard reader closed"));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError("shard reader closed"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
