// `leases lag` measurement for one lease: an iterator at the lease's checkpoint and a one-record
// GetRecords give MillisBehindLatest; a few more reads (up to a bound) count the records behind.
import { describeError } from "../../src/core/errors.ts";
import type { KinesisPort, StartingPosition } from "../../src/kinesis/port.ts";
import { isFinished, type Lease } from "../../src/leases/lease.ts";
import { keyParts } from "./keys.ts";

export interface LagRow {
  leaseKey: string;
  shardId: string;
  leaseOwner: string | null;
  checkpoint: string;
  /** Undefined when it could not be measured (see error). */
  millisBehindLatest?: number;
  /** Kinesis records after the checkpoint (a KPL aggregate counts once), when counted. */
  recordsBehind?: number;
  /** False when counting stopped at the bound: at least `recordsBehind`. */
  recordsBehindExact?: boolean;
  finished: boolean;
  error?: string;
}

/** Where the next owner would start reading; undefined when the lease cannot say (no timestamp). */
export function positionAfterCheckpoint(lease: Lease): StartingPosition | undefined {
  const { sequenceNumber: cp, subSequenceNumber: sub } = lease.checkpoint;
  const at = lease.resolvedStart;
  if (cp === "TRIM_HORIZON") return { type: "TRIM_HORIZON" };
  if (cp === "LATEST")
    return at === undefined ? { type: "LATEST" } : { type: "AT_TIMESTAMP", timestamp: new Date(at) };
  if (cp === "AT_TIMESTAMP")
    return at === undefined ? undefined : { type: "AT_TIMESTAMP", timestamp: new Date(at) };
  // Inside a KPL aggregate the record itself is not finished yet.
  return sub > 0
    ? { type: "AT_SEQUENCE_NUMBER", sequenceNumber: cp }
    : { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: cp };
}

/** Reads past the first page stop after this many calls per shard (each counts against 5 reads/s). */
const MAX_COUNT_CALLS = 5;

export async function measureLag(
  kinesis: KinesisPort,
  stream: string,
  lease: Lease,
  countUpTo: number,
): Promise<LagRow> {
  const { shardId } = keyParts(lease.leaseKey);
  const row: LagRow = {
    leaseKey: lease.leaseKey,
    shardId,
    leaseOwner: lease.leaseOwner ?? null,
    checkpoint: lease.checkpoint.sequenceNumber,
    finished: isFinished(lease),
  };
  if (row.finished) return { ...row, millisBehindLatest: 0, recordsBehind: 0, recordsBehindExact: true };
  const position = positionAfterCheckpoint(lease);
  if (!position)
    return {
      ...row,
      error: "AT_TIMESTAMP checkpoint without resolvedStartMillis: the time is in the workers' --timestamp",
    };
  try {
    let iterator: string | undefined = await kinesis.getShardIterator(stream, shardId, position);
    const ref = { stream, shardId };
    const first = await kinesis.getRecords(iterator, 1, ref);
    row.millisBehindLatest = first.millisBehindLatest ?? 0;
    if (countUpTo <= 0) return row;
    let count = first.records.length;
    let atTip = first.records.length === 0 && (first.millisBehindLatest ?? 0) === 0;
    iterator = first.nextShardIterator;
    for (let calls = 0; !atTip && iterator && count < countUpTo && calls < MAX_COUNT_CALLS; calls++) {
      const page = await kinesis.getRecords(iterator, Math.min(10_000, countUpTo - count), ref);
      count += page.records.length;
      iterator = page.nextShardIterator;
      atTip = page.records.length === 0 && (page.millisBehindLatest ?? 0) === 0;
    }
    // A closed shard ends with no next iterator: every record was counted.
    row.recordsBehind = Math.min(count, countUpTo);
    row.recordsBehindExact = (atTip || iterator === undefined) && count <= countUpTo;
    return row;
  } catch (error) {
    return { ...row, error: describeError(error) };
  }
}

/** Worst first: unmeasurable rows, then by MillisBehindLatest, then records behind. */
export function worstFirst(a: LagRow, b: LagRow): number {
  const ma = a.millisBehindLatest ?? Number.POSITIVE_INFINITY;
  const mb = b.millisBehindLatest ?? Number.POSITIVE_INFINITY;
  if (ma !== mb) return mb - ma > 0 ? 1 : -1;
  return (b.recordsBehind ?? 0) - (a.recordsBehind ?? 0) || a.leaseKey.localeCompare(b.leaseKey);
}
