// The enhanced fan-out port: stream consumers (register, describe, list, deregister) and one
// SubscribeToShard event stream per shard, in engine terms (errors typed as for the KinesisPort).
import type { ChildShard, RawRecord, StartingPosition } from "./port.ts";

export type ConsumerStatus = "CREATING" | "ACTIVE" | "DELETING";

export interface StreamConsumer {
  consumerName: string;
  consumerArn: string;
  status: ConsumerStatus;
  createdAt?: Date;
}

/** One SubscribeToShardEvent. */
export interface ShardEvent {
  records: RawRecord[];
  /**
   * Where a new subscription continues (AT_SEQUENCE_NUMBER). Absent once the shard is closed and every
   * record was sent: this is the final event, carrying the child shards.
   */
  continuationSequenceNumber?: string;
  millisBehindLatest?: number;
  childShards?: ChildShard[];
}

/** An open subscription: events in shard order until it ends (about 5 minutes), breaks or is closed. */
export interface ShardSubscription {
  /** Resolves `undefined` when the subscription ended normally; rejects with a typed error when it broke. */
  next(): Promise<ShardEvent | undefined>;
  /** Cancels the HTTP/2 stream at once (lease lost, shutdown). Idempotent. */
  close(): void;
}

export interface FanOutPort {
  /** The stream's ARN (consumers are registered on ARNs). */
  streamArn(stream: string): Promise<string>;
  listConsumers(streamArn: string): Promise<StreamConsumer[]>;
  /** Undefined when a consumer of that name already exists (ResourceInUse): list again. */
  registerConsumer(streamArn: string, consumerName: string): Promise<StreamConsumer | undefined>;
  /** Throws DependencyError (missing) when the consumer does not exist. */
  describeConsumer(consumerArn: string): Promise<StreamConsumer>;
  deregisterConsumer(consumerArn: string): Promise<void>;
  /**
   * Opens SubscribeToShard. Rejects with ThrottledError on ResourceInUse (another subscription on the
   * shard for this consumer) and LimitExceeded; aborting `signal` cancels the request or stream.
   */
  subscribe(
    consumerArn: string,
    shardId: string,
    position: StartingPosition,
    signal: AbortSignal,
  ): Promise<ShardSubscription>;
}
