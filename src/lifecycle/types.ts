// What a shard consumer needs from the layers below, as narrow structural ports (easy to stub in tests).
import type { ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { KclError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { Random } from "../core/random.ts";
import type { ChildShard } from "../kinesis/port.ts";
import type { ExtendedSequenceNumber, Lease } from "../leases/lease.ts";
import type { CheckpointUpdate, Outcome } from "../leases/store.ts";
import type { KinesisRecord, ProcessorPlugin } from "../plugin.ts";

/** One GetRecords worth of records (same shape as retrieval's Batch). */
export interface ShardBatch {
  records: KinesisRecord[];
  millisBehindLatest?: number;
  isAtShardEnd: boolean;
  childShards?: ChildShard[];
}

/** A started record source for one shard (retrieval's ShardReader). */
export interface ShardRecordSource {
  /** Rejects with AbortedError once the signal given at open time aborts. */
  next(): Promise<ShardBatch>;
  close(): void;
}

/** Opens the record source after `start`; the consumer's stop signal ends it. */
export type OpenRecordSource = (args: {
  lease: Lease;
  start: ExtendedSequenceNumber;
  /** For an AT_TIMESTAMP start: the time (a recorded LATEST start); default: the configured timestamp. */
  timestamp?: Date;
  signal: AbortSignal;
}) => ShardRecordSource;

/** The slice of the LeaseCoordinator a consumer uses. */
export interface ConsumerLeases {
  /** Fenced checkpoint write; `ok: false` = the lease is gone. */
  checkpoint(leaseKey: string, update: CheckpointUpdate): Promise<Outcome<Lease>>;
  /** Auto checkpoints on the next renewal, without a write of their own (absent: auto writes its own). */
  offerCheckpoint?(leaseKey: string, update: CheckpointUpdate): Promise<Outcome<Lease> | undefined>;
  addChildShardIds(leaseKey: string, ids: string[]): Promise<void>;
  /** Records the resolved start of a LATEST / AT_TIMESTAMP lease, fenced (absent: nothing is recorded). */
  recordResolvedStart?(leaseKey: string, startMillis: number): Promise<Outcome<Lease>>;
  /**
   * Resolves when the renewer is known alive (a lease thread heard from recently); rejects when it failed.
   * Absent: the renewer runs in this event loop, so it is alive whenever this code runs.
   */
  untilRenewerFresh?(signal: AbortSignal): Promise<void>;
}

/** Reads parent leases while a child waits (eventually consistent reads are fine: it polls). */
export interface ParentLeaseReader {
  getLease(leaseKey: string): Promise<Lease | undefined>;
}

/** Resharding helpers (sync layer): child discovery when GetRecords named none, idempotent lease creation. */
export interface ShardEndHelpers {
  /** Children of the shard of `parentLeaseKey` (its shard id in single-stream mode). */
  discoverChildShards(parentLeaseKey: string): Promise<ChildShard[]>;
  /** Creates missing child leases (merge guard included); returns the child shard ids this call created. */
  createChildLeases(parentLeaseKey: string, children: ChildShard[]): Promise<string[]>;
}

export interface ShardConsumerOptions {
  lease: Lease;
  config: Pick<
    ResolvedConfig,
    | "app"
    | "stream"
    | "checkpoint"
    | "checkpointIntervalMs"
    | "onError"
    | "idleTimeMs"
    | "failoverMs"
    | "timestamp"
    | "processEmptyBatches"
  > &
    Partial<Pick<ResolvedConfig, "processorWarnMs">>;
  workerId: string;
  /** The shard id (the lease key's last part in multi-stream mode). Default: the lease key. */
  shardId?: string;
  /** The lease's stream, told to the processor. Default: config.stream. */
  streamName?: string;
  processor: ProcessorPlugin;
  leases: ConsumerLeases;
  parents: ParentLeaseReader;
  openRecords: OpenRecordSource;
  shardEnd: ShardEndHelpers;
  clock: Clock;
  random: Random;
  events: EventBus;
  /** The failure policy says `exit` (or something unrecoverable happened): stop the whole worker. */
  onFatal(error: KclError): void;
  /** How often a child re-reads its parents' leases. Default: idleTimeMs clamped to [500, 10000]. */
  parentPollMs?: number;
}
