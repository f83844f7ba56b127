// The Kinesis port: the few Kinesis calls the engine makes, in engine terms. Errors are typed
// (ThrottledError, ExpiredIteratorError, DependencyError) so callers never parse SDK errors.

export interface HashKeyRange {
  startingHashKey: string;
  endingHashKey: string;
}

export interface Shard {
  shardId: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  hashKeyRange: HashKeyRange;
  startingSequenceNumber: string;
  /** Set once the shard is closed (split/merge): no records after it. */
  endingSequenceNumber?: string;
}

export type StartingPosition =
  | { type: "TRIM_HORIZON" }
  | { type: "LATEST" }
  | { type: "AT_TIMESTAMP"; timestamp: Date }
  | { type: "AT_SEQUENCE_NUMBER"; sequenceNumber: string }
  | { type: "AFTER_SEQUENCE_NUMBER"; sequenceNumber: string };

/**
 * A record as Kinesis returns it (before KPL de-aggregation). An adapter may build it in its delivered
 * form already (`subSequenceNumber: 0`, `aggregated: false`, see plainRecord): de-aggregation then
 * passes a plain record on as it is instead of copying it (one object less per record).
 */
export interface RawRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  approximateArrivalTimestamp: Date;
  explicitHashKey?: string;
  subSequenceNumber?: 0;
  aggregated?: false;
}

/** A fetched record in the form a processor gets when it turns out not to be a KPL aggregate. */
export function plainRecord(
  sequenceNumber: string,
  partitionKey: string,
  data: Uint8Array,
  approximateArrivalTimestamp: Date,
): RawRecord & { subSequenceNumber: 0; aggregated: false } {
  // Same property order as kpl.ts builds records, so every record of a batch has one shape.
  return {
    data,
    partitionKey,
    sequenceNumber,
    subSequenceNumber: 0,
    approximateArrivalTimestamp,
    aggregated: false,
  };
}

export interface ChildShard {
  shardId: string;
  parentShards: string[];
  hashKeyRange: HashKeyRange;
}

export interface GetRecordsResult {
  records: RawRecord[];
  /** Absent at shard end. */
  nextShardIterator?: string;
  millisBehindLatest?: number;
  /** Present at shard end on real Kinesis (kinesalite never sends it: use listShards). */
  childShards?: ChildShard[];
}

/** Which stream and shard a call is about. */
export interface ShardRef {
  stream: string;
  shardId: string;
}

/** DescribeStreamSummary, in engine terms. */
export interface StreamSummary {
  status: string;
  shardCount: number;
  retentionHours: number;
  /** StreamARN (multi-stream lease keys take the account id from it). */
  arn?: string;
  /** StreamCreationTimestamp (multi-stream lease keys carry it in epoch seconds). */
  createdAt?: Date;
}

export interface KinesisPort {
  /** Throws DependencyError (missing) naming stream, region and endpoint when the stream is absent. */
  describeStream(stream: string): Promise<StreamSummary>;
  /** Every shard (paginated ListShards). */
  listShards(stream: string): Promise<Shard[]>;
  getShardIterator(stream: string, shardId: string, position: StartingPosition): Promise<string>;
  /** `shard` names the iterator's shard in error messages and context (iterators are opaque). */
  getRecords(iterator: string, limit: number, shard?: ShardRef): Promise<GetRecordsResult>;
}
