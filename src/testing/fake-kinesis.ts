// A deterministic in-memory KinesisPort for simulations: MD5 routing, split/merge, closed shards with
// ChildShards at shard end, iterators expiring on an injected Clock, retention, injectable faults.
import type { Clock } from "../core/clock.ts";
import { ExpiredIteratorError, InvalidCheckpointError, ThrottledError } from "../core/errors.ts";
import type { GetRecordsResult, KinesisPort, Shard, ShardRef, StartingPosition } from "../kinesis/port.ts";
import {
  applyRetention,
  childrenOf,
  type FakeShard,
  type FakeStream,
  formatSequence,
  holdsSequence,
  initialShards,
  isOpen,
  mergeShards,
  newRecord,
  notFound,
  parseSequence,
  type ReshardClock,
  readPage,
  routeRecord,
  splitShard,
  toShard,
} from "./fake-kinesis-stream.ts";

import { FaultQueue } from "./fault-queue.ts";

export type FakeKinesisOperation = "describeStream" | "listShards" | "getShardIterator" | "getRecords";

export interface FakeKinesisOptions {
  clock: Clock;
  /** Iterator lifetime on clock.monotonic(). Default 300000 (Kinesis: 5 minutes). */
  iteratorTtlMs?: number;
  /** Records older than this (wall clock) vanish; so do shards closed longer ago. Default 24 h. */
  retentionMs?: number;
  /** Send ChildShards with the shard-end GetRecords, as Kinesis does (kinesalite does not). Default true. */
  childShardsAtShardEnd?: boolean;
  /** Named in DependencyError messages, like a real endpoint. */
  region?: string;
  endpoint?: string;
}

interface IteratorState {
  stream: string;
  shardId: string;
  /** Next record to return has seq >= from. */
  from: bigint;
  /** AT_TIMESTAMP: skip records that arrived earlier (wall ms). */
  minArrival?: number;
  issuedAt: number;
}

export interface PutResult {
  shardId: string;
  sequenceNumber: string;
}

export class FakeKinesis implements KinesisPort {
  /** Every port call, in order (monotonic time): lets tests count and time GetRecords. */
  readonly calls: { operation: FakeKinesisOperation; shardId?: string; at: number }[] = [];
  private readonly streams = new Map<string, FakeStream>();
  private readonly iterators = new Map<string, IteratorState>();
  private readonly faults = new FaultQueue<FakeKinesisOperation>();
  private seqCounter = 0n;
  private iteratorCounter = 0;
  private readonly ttl: number;
  private readonly retention: number;

  constructor(private readonly options: FakeKinesisOptions) {
    this.ttl = options.iteratorTtlMs ?? 300_000;
    this.retention = options.retentionMs ?? 24 * 3600_000;
  }

  // ---- administration (what a producer / operator would do) ----

  createStream(name: string, shardCount: number): void {
    if (this.streams.has(name)) throw new Error(`stream ${name} exists`);
    this.streams.set(name, {
      name,
      shards: initialShards(shardCount, () => this.nextSeq()),
      nextShardIndex: shardCount,
      createdAt: this.options.clock.now(),
    });
  }

  deleteStream(name: string): void {
    this.streams.delete(name);
  }

  putRecord(
    stream: string,
    partitionKey: string,
    data: Uint8Array | string,
    explicitHashKey?: string,
  ): PutResult {
    const s = this.requireStream(stream, "PutRecord");
    const shard = routeRecord(s, partitionKey, explicitHashKey);
    const record = newRecord(this.nextSeq(), partitionKey, data, this.options.clock.now(), explicitHashKey);
    shard.records.push(record);
    return { shardId: shard.shardId, sequenceNumber: formatSequence(record.seq) };
  }

  putRecords(
    stream: string,
    records: { partitionKey: string; data: Uint8Array | string; explicitHashKey?: string }[],
  ): PutResult[] {
    return records.map((r) => this.putRecord(stream, r.partitionKey, r.data, r.explicitHashKey));
  }

  /** Splits an open shard at `newStartingHashKey` (default: the middle); returns the two child ids. */
  splitShard(stream: string, shardId: string, newStartingHashKey?: string): [string, string] {
    const s = this.requireStream(stream, "SplitShard");
    return splitShard(s, shardId, newStartingHashKey, this.reshardClock());
  }

  /** Merges two adjacent open shards; returns the child id (parent = shardId, adjacent = the other). */
  mergeShards(stream: string, shardId: string, adjacentShardId: string): string {
    const s = this.requireStream(stream, "MergeShards");
    return mergeShards(s, shardId, adjacentShardId, this.reshardClock());
  }

  /** The next `times` calls of `operation` (optionally only for one shard) throw what `error` makes. */
  failNext(
    operation: FakeKinesisOperation,
    error: Error | (() => Error),
    options: { times?: number; shardId?: string } = {},
  ): void {
    this.faults.add(operation, error, options);
  }

  /** Shorthand: the next `times` GetRecords (of `shardId`, if given) are throttled. */
  throttleGetRecords(times = 1, shardId?: string): void {
    this.failNext(
      "getRecords",
      () => new ThrottledError("fake ProvisionedThroughputExceeded", { operation: "GetRecords", shardId }),
      shardId === undefined ? { times } : { times, shardId },
    );
  }

  /** Every iterator handed out so far expires now. */
  expireIterators(): void {
    for (const it of this.iterators.values()) it.issuedAt = Number.NEGATIVE_INFINITY;
  }

  // ---- the KinesisPort ----

  async describeStream(stream: string) {
    this.record("describeStream");
    this.injected("describeStream");
    const s = this.requireStream(stream, "DescribeStreamSummary");
    this.trim(s);
    return {
      status: "ACTIVE",
      shardCount: s.shards.filter(isOpen).length,
      retentionHours: this.retention / 3600_000,
      arn: `arn:aws:kinesis:${this.options.region ?? "us-east-1"}:123456789012:stream/${s.name}`,
      createdAt: new Date(s.createdAt),
    };
  }

  async listShards(stream: string): Promise<Shard[]> {
    this.record("listShards");
    this.injected("listShards");
    const s = this.requireStream(stream, "ListShards");
    this.trim(s);
    return s.shards.map(toShard);
  }

  async getShardIterator(stream: string, shardId: string, position: StartingPosition): Promise<string> {
    this.record("getShardIterator", shardId);
    this.injected("getShardIterator", shardId);
    const shard = this.requireShard(stream, shardId, "GetShardIterator");
    const state: IteratorState = { stream, shardId, from: 0n, issuedAt: this.options.clock.monotonic() };
    switch (position.type) {
      case "TRIM_HORIZON":
        break;
      case "LATEST":
        state.from = this.seqCounter;
        break;
      case "AT_TIMESTAMP":
        state.minArrival = position.timestamp.getTime();
        break;
      default: {
        const seq = this.sequenceOf(shard, position.sequenceNumber, stream);
        state.from = position.type === "AT_SEQUENCE_NUMBER" ? seq : seq + 1n;
      }
    }
    return this.issue(state);
  }

  async getRecords(iterator: string, limit: number, _shard?: ShardRef): Promise<GetRecordsResult> {
    const state = this.iterators.get(iterator);
    this.record("getRecords", state?.shardId);
    this.injected("getRecords", state?.shardId);
    if (!state) throw new ExpiredIteratorError("fake: unknown shard iterator", { operation: "GetRecords" });
    this.iterators.delete(iterator);
    const now = this.options.clock.monotonic();
    if (now - state.issuedAt > this.ttl) {
      throw new ExpiredIteratorError(`fake: iterator for ${state.shardId} expired`, {
        operation: "GetRecords",
        stream: state.stream,
        shardId: state.shardId,
      });
    }
    const shard = this.requireShard(state.stream, state.shardId, "GetRecords");
    const { page, nextUnread } = readPage(shard, state.from, state.minArrival, limit);
    const last = page[page.length - 1];
    const next: IteratorState = { ...state, from: last ? last.seq + 1n : state.from, issuedAt: now };
    if (last) delete next.minArrival;
    const result: GetRecordsResult = {
      records: page.map((r) => {
        const raw = {
          sequenceNumber: formatSequence(r.seq),
          partitionKey: r.partitionKey,
          data: r.data,
          approximateArrivalTimestamp: new Date(r.arrival),
        };
        return r.explicitHashKey === undefined ? raw : { ...raw, explicitHashKey: r.explicitHashKey };
      }),
      millisBehindLatest: nextUnread ? Math.max(1, this.options.clock.now() - nextUnread.arrival) : 0,
    };
    if (isOpen(shard) || nextUnread) {
      result.nextShardIterator = this.issue(next);
    } else if (this.options.childShardsAtShardEnd ?? true) {
      result.childShards = childrenOf(this.requireStream(state.stream, "GetRecords"), shard.shardId);
    }
    return result;
  }

  // ---- internals ----

  private nextSeq(): bigint {
    const seq = this.seqCounter;
    this.seqCounter += 1n;
    return seq;
  }

  private record(operation: FakeKinesisOperation, shardId?: string): void {
    this.calls.push(
      shardId === undefined
        ? { operation, at: this.options.clock.monotonic() }
        : { operation, shardId, at: this.options.clock.monotonic() },
    );
  }

  private injected(operation: FakeKinesisOperation, shardId?: string): void {
    const error = this.faults.take(operation, shardId);
    if (error) throw error;
  }

  private reshardClock(): ReshardClock {
    return { nextSeq: () => this.nextSeq(), now: () => this.options.clock.now() };
  }

  private issue(state: IteratorState): string {
    const token = `fake-iterator-${++this.iteratorCounter}`;
    this.iterators.set(token, state);
    return token;
  }

  private sequenceOf(shard: FakeShard, sequenceNumber: string, stream: string): bigint {
    const seq = parseSequence(sequenceNumber);
    const mine = seq !== undefined && (holdsSequence(shard, seq) || this.isUnknownTo(stream, seq));
    if (seq === undefined || !mine) {
      throw new InvalidCheckpointError(
        `fake: sequence number ${sequenceNumber} does not belong to ${shard.shardId} of ${stream}`,
        { stream, shardId: shard.shardId, operation: "GetShardIterator" },
      );
    }
    return seq;
  }

  /** A sequence number no shard holds (e.g. trimmed): accepted, like Kinesis does for expired data. */
  private isUnknownTo(stream: string, seq: bigint): boolean {
    const s = this.streams.get(stream);
    return !s?.shards.some((x) => holdsSequence(x, seq));
  }

  /** Drops what the retention period has passed (closed shards included). */
  private trim(s: FakeStream): void {
    applyRetention(s, this.options.clock.now() - this.retention);
  }

  private requireStream(stream: string, operation: string): FakeStream {
    const s = this.streams.get(stream);
    if (!s) throw notFound(this.options, `stream ${stream}`, operation, stream);
    return s;
  }

  private requireShard(stream: string, shardId: string, operation: string): FakeShard {
    const s = this.requireStream(stream, operation);
    this.trim(s);
    const shard = s.shards.find((x) => x.shardId === shardId);
    if (!shard)
      throw notFound(this.options, `shard ${shardId} of stream ${stream}`, operation, stream, shardId);
    return shard;
  }
}
