// The lease model: one lease per shard, attribute names from the Java KCL 2.x/3.x schema.

/** Checkpoint sentinels as the Java KCL stores them in `checkpoint`. */
export type Sentinel = "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP" | "SHARD_END";
export const SENTINELS: readonly Sentinel[] = ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP", "SHARD_END"];

/** `checkpoint` + `checkpointSubSequenceNumber`: a decimal sequence number or a sentinel. */
export interface ExtendedSequenceNumber {
  sequenceNumber: string;
  subSequenceNumber: number;
}

export interface Lease {
  /** Shard id in single-stream mode; `account:stream:epoch:shardId` in multi-stream mode. */
  leaseKey: string;
  /** Absent when unowned (never an empty string). */
  leaseOwner?: string;
  /** Bumped by every renew, take, checkpoint and release: the fencing token and heartbeat. */
  leaseCounter: number;
  checkpoint: ExtendedSequenceNumber;
  pendingCheckpoint?: ExtendedSequenceNumber;
  ownerSwitchesSinceCheckpoint: number;
  /** `parentShardId` (SS) in DynamoDB. */
  parentShardIds: string[];
  /** `childShardIds` (SS): learned at shard end. */
  childShardIds: string[];
  hashKeyRange?: { startingHashKey: string; endingHashKey: string };
  /** KCL 3.x graceful handoff: the previous owner still allowed to checkpoint. */
  checkpointOwner?: string;
  /** KCL 3.x per-lease throughput estimate. */
  throughputKBps?: number;
  /**
   * kcl-ts only (`resolvedStartMillis`, ignored by the Java KCL): wall-clock ms at which a lease whose
   * checkpoint is still LATEST / AT_TIMESTAMP was first read, so later owners start there, not at their now.
   */
  resolvedStart?: number;
  /**
   * kcl-ts assigner mode only (`assignedLeases`, SS; ignored by the Java KCL): keys the fleet's assigner
   * has just given this lease's owner. The owner's renewal reads them back (ALL_NEW) and DELETEs them.
   */
  assignedLeases?: string[];
  /** Multi-stream only (Java `streamName`): the serialized stream identifier `account:stream:epoch`. */
  streamName?: string;
  /** Multi-stream only (Java `shardId`): the bare shard id (the key's last part). */
  shardId?: string;
}

/** True while a KCL 3.x graceful handoff is in progress (the old owner may still checkpoint). */
export function isInHandoff(lease: Pick<Lease, "checkpointOwner">): boolean {
  return lease.checkpointOwner !== undefined;
}

export function isSentinel(value: string): value is Sentinel {
  return (SENTINELS as readonly string[]).includes(value);
}

export function isFinished(lease: Pick<Lease, "checkpoint">): boolean {
  return lease.checkpoint.sequenceNumber === "SHARD_END";
}

const SENTINEL_RANK: Record<string, bigint> = { AT_TIMESTAMP: -3n, TRIM_HORIZON: -2n, LATEST: -1n };

/**
 * Java's ExtendedSequenceNumber ordering: SHARD_END above everything, then AT_TIMESTAMP < TRIM_HORIZON
 * < LATEST < any real sequence number, then by sub-sequence. Returns <0, 0 or >0.
 */
export function compareCheckpoints(a: ExtendedSequenceNumber, b: ExtendedSequenceNumber): number {
  const aEnd = a.sequenceNumber === "SHARD_END";
  const bEnd = b.sequenceNumber === "SHARD_END";
  if (aEnd || bEnd) return aEnd === bEnd ? 0 : aEnd ? 1 : -1;
  const ar = SENTINEL_RANK[a.sequenceNumber];
  const br = SENTINEL_RANK[b.sequenceNumber];
  const bySequence =
    ar === undefined && br === undefined
      ? compareDecimal(a.sequenceNumber, b.sequenceNumber)
      : compareBig(ar ?? BigInt(a.sequenceNumber), br ?? BigInt(b.sequenceNumber));
  return bySequence !== 0 ? bySequence : a.subSequenceNumber - b.subSequenceNumber;
}

function compareBig(a: bigint, b: bigint): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

function isDecimal(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
}

/**
 * Two decimal strings by value without BigInt (parsing two 56-digit numbers per record was the
 * biggest engine cost per record): fewer significant digits is smaller, equal lengths compare as
 * text. Anything not plain digits goes through BigInt as before (which throws on garbage).
 */
function compareDecimal(a: string, b: string): number {
  if (!isDecimal(a) || !isDecimal(b)) return compareBig(BigInt(a), BigInt(b));
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  if (a.length - i !== b.length - j) return a.length - i < b.length - j ? -1 : 1;
  const as = i === 0 ? a : a.slice(i);
  const bs = j === 0 ? b : b.slice(j);
  return as === bs ? 0 : as < bs ? -1 : 1;
}
