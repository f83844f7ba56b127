// The plugin contract (spec §4): types only, so a plugin can `import type` them from kcl-ts.

/** One Kinesis record as handed to a processor (KPL aggregates already de-aggregated). */
export interface KinesisRecord {
  data: Uint8Array;
  partitionKey: string;
  /** Decimal string: sequence numbers exceed Number.MAX_SAFE_INTEGER. */
  sequenceNumber: string;
  /** Index inside a KPL aggregate; 0 for plain records. */
  subSequenceNumber: number;
  approximateArrivalTimestamp: Date;
  explicitHashKey?: string;
  /** True when this record came out of a KPL aggregated record. */
  aggregated: boolean;
}

/** A position in a shard: a sequence number plus the KPL sub-record index. */
export interface CheckpointPosition {
  sequenceNumber: string;
  subSequenceNumber: number;
}

export interface Checkpointer {
  /**
   * checkpoint() — the last record delivered; checkpoint(seq, sub?) — that position;
   * checkpoint(record) — that record. Rejects with InvalidCheckpointError beyond what was delivered
   * or behind the last checkpoint, and with LeaseLostError once the lease is gone.
   */
  checkpoint(target?: string | KinesisRecord, subSequenceNumber?: number): Promise<void>;
}

export interface InitializeInput {
  shardId: string;
  streamName: string;
  /** Where processing resumes after: a sequence position or a sentinel such as TRIM_HORIZON. */
  checkpoint: CheckpointPosition;
  pendingCheckpoint?: CheckpointPosition;
}

export interface ProcessRecordsInput {
  records: KinesisRecord[];
  checkpointer: Checkpointer;
  millisBehindLatest?: number;
  shardId: string;
  isAtShardEnd: boolean;
  /** Aborted when the lease is lost or the worker shuts down: stop long work early. */
  signal: AbortSignal;
}

export interface LeaseLostInput {
  shardId: string;
}

export interface ShardEndedInput {
  shardId: string;
  checkpointer: Checkpointer;
}

export interface ShutdownRequestedInput {
  shardId: string;
  checkpointer: Checkpointer;
}

/** The Java KCL v2 callbacks, all async; only processRecords is required. */
export interface RecordProcessor {
  initialize?(input: InitializeInput): void | Promise<void>;
  processRecords(input: ProcessRecordsInput): void | Promise<void>;
  leaseLost?(input: LeaseLostInput): void | Promise<void>;
  shardEnded?(input: ShardEndedInput): void | Promise<void>;
  shutdownRequested?(input: ShutdownRequestedInput): void | Promise<void>;
}

/** Given to a factory once per lease acquisition. */
export interface ProcessorContext {
  shardId: string;
  streamName: string;
  applicationName: string;
  workerId: string;
}

export type RecordProcessorFactory = (
  context: ProcessorContext,
) => RecordProcessor | Promise<RecordProcessor>;

/** What a plugin module's default export may be. */
export type ProcessorPlugin = RecordProcessorFactory | RecordProcessor;
