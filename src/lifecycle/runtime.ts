// The mutable per-shard context that the lifecycle tasks share (one instance per lease acquisition).
import type { ShardCheckpointer } from "../checkpoint/checkpointer.ts";
import type { KclError } from "../core/errors.ts";
import type { ShardStateName } from "../core/events.ts";
import type { RecordProcessor } from "../plugin.ts";
import type { AutoCheckpoint } from "./auto-checkpoint.ts";
import type { StopReason } from "./states.ts";
import type { StartPosition } from "./tasks/start-position.ts";
import type { ShardBatch, ShardConsumerOptions, ShardRecordSource } from "./types.ts";

export interface ConsumerRuntime {
  readonly o: ShardConsumerOptions;
  /** Names the shard in events and errors: the lease key (the shard id in single-stream mode). */
  readonly shardId: string;
  /** The shard id processor callbacks get (the lease key's last part in multi-stream mode). */
  readonly processorShardId: string;
  readonly leaseKey: string;
  /** Aborted on any stop request (lease lost, shutdown): handed to processRecords and the record source. */
  readonly signal: AbortSignal;
  readonly checkpointer: ShardCheckpointer;
  readonly auto: AutoCheckpoint;
  processor?: RecordProcessor;
  records?: ShardRecordSource;
  /** Where this acquisition starts when nothing was delivered yet (set at initialization). */
  start?: StartPosition;
  /** A fetched batch not yet processed successfully: redelivered after a failure. */
  pending?: { batch: ShardBatch; attempt: number };
  /** The batch that ended the shard (carries ChildShards when Kinesis sent them). */
  endBatch?: ShardBatch;
  /** MillisBehindLatest last reported in a records-processed event. */
  reportedLag?: number;
  /** Consecutive failures of the current state's task (reset on every state change). */
  attempt: number;
  stopReason(): StopReason | undefined;
  /** Emits shard-state when the shown state or its detail changes. */
  show(state: ShardStateName, detail?: string): void;
  /** Stops the whole worker (on-error exit). */
  fatal(error: KclError): void;
}
