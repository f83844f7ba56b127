// Lease <-> DynamoDB item, with exactly the Java KCL 2.x/3.x attribute names and types
// (java-kcl-reference.md §1.2). Rows whose entityType is set and is not LEASE are not leases.
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { Lease } from "./lease.ts";

export type Item = Record<string, AttributeValue>;

/** The Java KCL attribute names (one place, so no expression ever misspells one). */
export const A = {
  leaseKey: "leaseKey",
  leaseOwner: "leaseOwner",
  leaseCounter: "leaseCounter",
  checkpoint: "checkpoint",
  checkpointSubSequenceNumber: "checkpointSubSequenceNumber",
  pendingCheckpoint: "pendingCheckpoint",
  pendingCheckpointSubSequenceNumber: "pendingCheckpointSubSequenceNumber",
  pendingCheckpointState: "pendingCheckpointState",
  ownerSwitchesSinceCheckpoint: "ownerSwitchesSinceCheckpoint",
  parentShardId: "parentShardId",
  childShardIds: "childShardIds",
  startingHashKey: "startingHashKey",
  endingHashKey: "endingHashKey",
  checkpointOwner: "checkpointOwner",
  throughputKBps: "throughputKBps",
  entityType: "entityType",
  /** kcl-ts only: wall-clock ms of the first read of a LATEST / AT_TIMESTAMP lease (Java ignores it). */
  resolvedStart: "resolvedStartMillis",
  /** kcl-ts assigner mode: lease keys assigned to this lease's owner, not yet seen by it. */
  assignedLeases: "assignedLeases",
  /** Multi-stream: the serialized stream identifier ("streamName" in Java for legacy reasons). */
  streamName: "streamName",
  /** Multi-stream: the bare shard id. */
  shardId: "shardId",
} as const;

export const LEASE_ENTITY = "LEASE";

/** True for lease rows: no entityType (KCL ≤ 3.4) or entityType LEASE (3.5 single-table layout). */
export function isLeaseItem(item: Item): boolean {
  const type = item[A.entityType]?.S;
  return type === undefined || type === LEASE_ENTITY;
}

function str(item: Item, name: string): string | undefined {
  return item[name]?.S;
}

function num(item: Item, name: string): number | undefined {
  const n = item[name]?.N;
  return n === undefined ? undefined : Number(n);
}

/** String sets; tolerates a list or a single string written by other tools. */
function strings(item: Item, name: string): string[] {
  const v = item[name];
  if (!v) return [];
  if (v.SS) return [...v.SS].sort();
  if (v.L) return v.L.flatMap((x) => (x.S === undefined ? [] : [x.S])).sort();
  return v.S ? [v.S] : [];
}

/** Parses a lease row; undefined for non-lease rows (KCL 3.x worker metrics, leader lock, migration state). */
export function itemToLease(item: Item | undefined): Lease | undefined {
  if (!item || !isLeaseItem(item)) return undefined;
  const leaseKey = str(item, A.leaseKey);
  if (leaseKey === undefined) return undefined;
  const lease: Lease = {
    leaseKey,
    leaseCounter: num(item, A.leaseCounter) ?? 0,
    // A row without a checkpoint was never started: TRIM_HORIZON never skips data (at-least-once).
    checkpoint: {
      sequenceNumber: str(item, A.checkpoint) ?? "TRIM_HORIZON",
      subSequenceNumber: num(item, A.checkpointSubSequenceNumber) ?? 0,
    },
    ownerSwitchesSinceCheckpoint: num(item, A.ownerSwitchesSinceCheckpoint) ?? 0,
    parentShardIds: strings(item, A.parentShardId),
    childShardIds: strings(item, A.childShardIds),
  };
  const owner = str(item, A.leaseOwner);
  if (owner) lease.leaseOwner = owner;
  const pending = str(item, A.pendingCheckpoint);
  if (pending !== undefined) {
    lease.pendingCheckpoint = {
      sequenceNumber: pending,
      subSequenceNumber: num(item, A.pendingCheckpointSubSequenceNumber) ?? 0,
    };
  }
  const start = str(item, A.startingHashKey);
  const end = str(item, A.endingHashKey);
  if (start !== undefined && end !== undefined)
    lease.hashKeyRange = { startingHashKey: start, endingHashKey: end };
  const checkpointOwner = str(item, A.checkpointOwner);
  if (checkpointOwner) lease.checkpointOwner = checkpointOwner;
  const throughput = num(item, A.throughputKBps);
  if (throughput !== undefined) lease.throughputKBps = throughput;
  const resolvedStart = num(item, A.resolvedStart);
  if (resolvedStart !== undefined) lease.resolvedStart = resolvedStart;
  const assigned = strings(item, A.assignedLeases);
  if (assigned.length > 0) lease.assignedLeases = assigned;
  const streamName = str(item, A.streamName);
  if (streamName !== undefined) lease.streamName = streamName;
  const shardId = str(item, A.shardId);
  if (shardId !== undefined) lease.shardId = shardId;
  return lease;
}

/** The full item for PutItem (create). Empty sets are omitted: DynamoDB rejects them. */
export function leaseToItem(lease: Lease): Item {
  const item: Item = {
    [A.leaseKey]: { S: lease.leaseKey },
    [A.leaseCounter]: { N: String(lease.leaseCounter) },
    [A.checkpoint]: { S: lease.checkpoint.sequenceNumber },
    [A.checkpointSubSequenceNumber]: { N: String(lease.checkpoint.subSequenceNumber) },
    [A.ownerSwitchesSinceCheckpoint]: { N: String(lease.ownerSwitchesSinceCheckpoint) },
    [A.entityType]: { S: LEASE_ENTITY },
  };
  if (lease.leaseOwner) item[A.leaseOwner] = { S: lease.leaseOwner };
  if (lease.parentShardIds.length > 0) item[A.parentShardId] = { SS: [...new Set(lease.parentShardIds)] };
  if (lease.childShardIds.length > 0) item[A.childShardIds] = { SS: [...new Set(lease.childShardIds)] };
  if (lease.pendingCheckpoint) {
    item[A.pendingCheckpoint] = { S: lease.pendingCheckpoint.sequenceNumber };
    item[A.pendingCheckpointSubSequenceNumber] = { N: String(lease.pendingCheckpoint.subSequenceNumber) };
  }
  if (lease.hashKeyRange) {
    item[A.startingHashKey] = { S: lease.hashKeyRange.startingHashKey };
    item[A.endingHashKey] = { S: lease.hashKeyRange.endingHashKey };
  }
  if (lease.checkpointOwner) item[A.checkpointOwner] = { S: lease.checkpointOwner };
  if (lease.throughputKBps !== undefined) item[A.throughputKBps] = { N: String(lease.throughputKBps) };
  if (lease.resolvedStart !== undefined) item[A.resolvedStart] = { N: String(lease.resolvedStart) };
  if (lease.assignedLeases && lease.assignedLeases.length > 0)
    item[A.assignedLeases] = { SS: [...new Set(lease.assignedLeases)] };
  if (lease.streamName !== undefined) item[A.streamName] = { S: lease.streamName };
  if (lease.shardId !== undefined) item[A.shardId] = { S: lease.shardId };
  return item;
}
