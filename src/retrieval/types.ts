// The record source API: what the per-shard lifecycle reads batches from.
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Random } from "../core/random.ts";
import type { ChildShard, HashKeyRange, KinesisPort } from "../kinesis/port.ts";
import type { ExtendedSequenceNumber } from "../leases/lease.ts";
import type { KinesisRecord } from "../plugin.ts";

/** One GetRecords worth of user records, de-aggregated and filtered past the start position. */
export interface Batch {
  /** In shard order; may be empty (caught up). */
  records: KinesisRecord[];
  /** From the GetRecords response: 0 when at the tip of the shard. */
  millisBehindLatest?: number;
  /** The shard is closed and every record has been returned (in this or an earlier batch). */
  isAtShardEnd: boolean;
  /** At shard end, when Kinesis named them (kinesalite never does: use sync's discoverChildShards). */
  childShards?: ChildShard[];
}

export interface ShardReaderOptions {
  kinesis: KinesisPort;
  stream: string;
  shardId: string;
  /** How events name this shard: its lease key (multi-stream keys carry the stream). Default: shardId. */
  leaseKey?: string;
  /**
   * Where to start: the lease checkpoint. A sentinel (TRIM_HORIZON, LATEST, AT_TIMESTAMP) opens the
   * same-named iterator; a sequence number opens AT_SEQUENCE_NUMBER and drops every record at or
   * before (sequenceNumber, subSequenceNumber), so a checkpoint inside a KPL aggregate resumes at the
   * next sub-record. SHARD_END yields one empty shard-end batch.
   */
  start: ExtendedSequenceNumber;
  /** Required when start is AT_TIMESTAMP (the lease table does not store it). */
  timestamp?: Date;
  /** Records per GetRecords (1..10000). */
  maxRecords: number;
  /** Pause between GetRecords calls when caught up (empty or partial batch with millisBehindLatest 0). */
  idleTimeMs: number;
  /**
   * Minimum time from the start of one GetRecords on this shard to the start of the next, whether
   * behind, caught up or retrying (Kinesis allows 5 per shard per second, shared by all readers).
   * Default 0 (no floor); the worker passes config.pollIntervalMs.
   */
  pollIntervalMs?: number;
  /** The shard's hash range: enables the KPL out-of-range report (see kinesis/kpl.ts). */
  hashKeyRange?: HashKeyRange;
  /** KPL sub-records outside hashKeyRange: "deliver" (default, with a warning event) or "drop". */
  kplOutOfRange?: "deliver" | "drop";
  clock: Clock;
  random: Random;
  events: EventBus;
  /** Aborting stops the reader: pending and later next() calls reject with AbortedError. */
  signal?: AbortSignal;
}

export interface ShardReader {
  /**
   * The next batch. Exactly one further batch is prefetched while the caller works on this one.
   * After shard end, every call returns an empty shard-end batch. Rejects with AbortedError once
   * aborted/closed, and with a KclError the reader cannot handle itself (e.g. DependencyError when
   * the stream is gone, InvalidCheckpointError for a checkpoint from another stream).
   */
  next(): Promise<Batch>;
  /** Stops prefetching; pending and later next() calls reject with AbortedError. Idempotent. */
  close(): void;
}
