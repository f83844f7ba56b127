// The data model behind FakeKinesis: streams, shards with hash ranges and records, resharding.
import { DependencyError } from "../core/errors.ts";
import { effectiveHashKey, inHashKeyRange, MAX_HASH_KEY } from "../kinesis/hash-key.ts";
import type { ChildShard, HashKeyRange, Shard } from "../kinesis/port.ts";

export interface FakeRecord {
  seq: bigint;
  partitionKey: string;
  data: Uint8Array;
  /** Wall-clock ms. */
  arrival: number;
  explicitHashKey?: string;
}

export interface FakeShard {
  shardId: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  start: bigint;
  end: bigint;
  startingSeq: bigint;
  endingSeq?: bigint;
  /** Wall-clock ms when closed: the shard disappears once this leaves the retention window. */
  closedAt?: number;
  records: FakeRecord[];
}

export interface FakeStream {
  name: string;
  shards: FakeShard[];
  nextShardIndex: number;
  /** Wall-clock ms of createStream (DescribeStreamSummary's StreamCreationTimestamp). */
  createdAt: number;
}

/** Kinesis-looking 56-digit sequence numbers, increasing across the whole fake. */
const SEQUENCE_BASE = 49n * 10n ** 54n;

export function formatSequence(seq: bigint): string {
  return (SEQUENCE_BASE + seq).toString();
}

export function parseSequence(sequenceNumber: string): bigint | undefined {
  if (!/^\d+$/.test(sequenceNumber)) return undefined;
  return BigInt(sequenceNumber) - SEQUENCE_BASE;
}

export function shardIdFor(index: number): string {
  return `shardId-${String(index).padStart(12, "0")}`;
}

/** N shards splitting the 128-bit hash space evenly, as CreateStream does. */
export function initialShards(count: number, seq: () => bigint): FakeShard[] {
  const space = MAX_HASH_KEY + 1n;
  return Array.from({ length: count }, (_, i) => ({
    shardId: shardIdFor(i),
    start: (space * BigInt(i)) / BigInt(count),
    end: (space * BigInt(i + 1)) / BigInt(count) - 1n,
    startingSeq: seq(),
    records: [],
  }));
}

export function toShard(s: FakeShard): Shard {
  const shard: Shard = {
    shardId: s.shardId,
    hashKeyRange: range(s),
    startingSequenceNumber: formatSequence(s.startingSeq),
  };
  if (s.parentShardId) shard.parentShardId = s.parentShardId;
  if (s.adjacentParentShardId) shard.adjacentParentShardId = s.adjacentParentShardId;
  if (s.endingSeq !== undefined) shard.endingSequenceNumber = formatSequence(s.endingSeq);
  return shard;
}

export function range(s: FakeShard): HashKeyRange {
  return { startingHashKey: s.start.toString(), endingHashKey: s.end.toString() };
}

export function isOpen(s: FakeShard): boolean {
  return s.endingSeq === undefined;
}

/** The open shard a record with this partition key / explicit hash key lands in. */
export function routeRecord(stream: FakeStream, partitionKey: string, explicitHashKey?: string): FakeShard {
  const key = effectiveHashKey(partitionKey, explicitHashKey);
  const shard = stream.shards.find((s) => isOpen(s) && inHashKeyRange(key, range(s)));
  if (!shard) throw new Error(`no open shard covers hash key ${key} in ${stream.name}`);
  return shard;
}

export function childrenOf(stream: FakeStream, shardId: string): ChildShard[] {
  return stream.shards
    .filter((s) => s.parentShardId === shardId || s.adjacentParentShardId === shardId)
    .map((s) => ({
      shardId: s.shardId,
      parentShards: [s.parentShardId, s.adjacentParentShardId].filter((p): p is string => p !== undefined),
      hashKeyRange: range(s),
    }));
}

/** What resharding needs from the fake: fresh sequence numbers and the wall clock. */
export interface ReshardClock {
  nextSeq(): bigint;
  now(): number;
}

function openShard(s: FakeStream, shardId: string): FakeShard {
  const shard = s.shards.find((x) => x.shardId === shardId);
  if (!shard || !isOpen(shard)) throw new Error(`shard ${shardId} is not open in ${s.name}`);
  return shard;
}

function close(shard: FakeShard, clock: ReshardClock): void {
  shard.endingSeq = clock.nextSeq();
  shard.closedAt = clock.now();
}

function addChild(s: FakeStream, start: bigint, end: bigint, parentShardId: string, clock: ReshardClock) {
  const shard: FakeShard = {
    shardId: shardIdFor(s.nextShardIndex++),
    parentShardId,
    start,
    end,
    startingSeq: clock.nextSeq(),
    records: [],
  };
  s.shards.push(shard);
  return shard;
}

/** SplitShard: closes the parent, adds two children splitting its range at `at` (default the middle). */
export function splitShard(
  s: FakeStream,
  shardId: string,
  newStartingHashKey: string | undefined,
  clock: ReshardClock,
): [string, string] {
  const parent = openShard(s, shardId);
  const at = newStartingHashKey !== undefined ? BigInt(newStartingHashKey) : (parent.start + parent.end) / 2n;
  if (at <= parent.start || at > parent.end) throw new Error(`hash key ${at} does not split ${shardId}`);
  close(parent, clock);
  const left = addChild(s, parent.start, at - 1n, parent.shardId, clock);
  const right = addChild(s, at, parent.end, parent.shardId, clock);
  return [left.shardId, right.shardId];
}

/** MergeShards: closes two adjacent shards, adds one child (parent = shardId, adjacent = the other). */
export function mergeShards(
  s: FakeStream,
  shardId: string,
  adjacentShardId: string,
  clock: ReshardClock,
): string {
  const a = openShard(s, shardId);
  const b = openShard(s, adjacentShardId);
  if (a.end + 1n !== b.start && b.end + 1n !== a.start) {
    throw new Error(`${shardId} and ${adjacentShardId} are not adjacent`);
  }
  close(a, clock);
  close(b, clock);
  const child = addChild(
    s,
    a.start < b.start ? a.start : b.start,
    a.end > b.end ? a.end : b.end,
    a.shardId,
    clock,
  );
  child.adjacentParentShardId = b.shardId;
  return child.shardId;
}

/** Index of the first record with seq >= `seq` (records are in sequence order). */
export function indexOfSeq(shard: FakeShard, seq: bigint): number {
  let lo = 0;
  let hi = shard.records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (shard.records[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Up to `limit` records from `from` (and, for AT_TIMESTAMP, arrived at or after `minArrival`). */
export function readPage(shard: FakeShard, from: bigint, minArrival: number | undefined, limit: number) {
  let start = indexOfSeq(shard, from);
  if (minArrival !== undefined) {
    while (start < shard.records.length && shard.records[start]!.arrival < minArrival) start++;
  }
  const page = shard.records.slice(start, start + Math.max(1, limit));
  /** The oldest record left unread after this page (for MillisBehindLatest and shard end). */
  const nextUnread = shard.records[start + page.length];
  return { page, nextUnread };
}

/** Whether a sequence number was issued to this shard (its start or one of its records). */
export function holdsSequence(shard: FakeShard, seq: bigint): boolean {
  if (seq === shard.startingSeq) return true;
  return shard.records[indexOfSeq(shard, seq)]?.seq === seq;
}

export function newRecord(
  seq: bigint,
  partitionKey: string,
  data: Uint8Array | string,
  arrival: number,
  explicitHashKey?: string,
): FakeRecord {
  const record: FakeRecord = {
    seq,
    partitionKey,
    data: typeof data === "string" ? new TextEncoder().encode(data) : Uint8Array.from(data),
    arrival,
  };
  if (explicitHashKey !== undefined) record.explicitHashKey = explicitHashKey;
  return record;
}

/** Drops records that arrived before `cutoff` and shards closed before it. */
export function applyRetention(s: FakeStream, cutoff: number): void {
  s.shards = s.shards.filter((x) => x.closedAt === undefined || x.closedAt >= cutoff);
  for (const x of s.shards) {
    if (x.records[0] && x.records[0].arrival < cutoff)
      x.records = x.records.filter((r) => r.arrival >= cutoff);
  }
}

/** The error the real adapter gives for a missing stream or shard, naming region and endpoint. */
export function notFound(
  where: { region?: string; endpoint?: string },
  what: string,
  operation: string,
  stream: string,
  shardId?: string,
): DependencyError {
  const region = where.region ?? "us-east-1";
  const endpoint = where.endpoint ?? "memory://fake-kinesis";
  return new DependencyError(
    `Kinesis ${operation}: ${what} not found (region ${region}, endpoint ${endpoint}).`,
    "missing",
    shardId === undefined
      ? { stream, region, endpoint, operation }
      : { stream, shardId, region, endpoint, operation },
  );
}
