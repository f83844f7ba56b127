// The public worker API: what createWorker() returns and what it can be given.
import type { AwsClientOptions } from "../aws/clients.ts";
import type { KclOptions, ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import type { Random } from "../core/random.ts";
import type { FanOutPort } from "../kinesis/fan-out-port.ts";
import type { ChildShard, KinesisPort } from "../kinesis/port.ts";
import type { LeaseCoordinator } from "../leases/coordinator.ts";
import type { LeaseOperatorStore } from "../leases/operator-store.ts";
import type { LeaseStore, WorkerTableStore } from "../leases/store.ts";
import type { LeaseThreadHandle } from "../leases/thread/threaded-coordinator.ts";
import type { ProcessorPlugin } from "../plugin.ts";

export interface WorkerOptions extends KclOptions {
  /** The record processor: a factory (one instance per lease acquisition) or a shared object. */
  processor: ProcessorPlugin;
  /** Explicit AWS credentials (default: the SDK chain). */
  credentials?: AwsClientOptions["credentials"];
}

/** Injection points for tests and simulations; production uses the defaults. */
export interface WorkerDeps {
  kinesis?: KinesisPort;
  /** Enhanced fan-out calls (retrieval efo). Default: the AWS adapter over an HTTP/2 client. */
  fanOut?: FanOutPort;
  leaseStore?: LeaseStore;
  /** Operator requests (drain). Default: DynamoDB beside the lease store; none when leaseStore is injected. */
  operatorStore?: LeaseOperatorStore;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  /** Create the lease table when missing (default true, as the Java KCL does). */
  createTableIfMissing?: boolean;
  /** Shard discovery and resharding helpers. Default: src/sync over the Kinesis port and lease store. */
  shardSync?: ShardSyncFactory;
  /** Called with the lease coordinator once the worker runs. */
  onCoordinator?: (coordinator: LeaseCoordinator) => void;
  /**
   * Test seam: called with the lease thread once it started; given, the thread also accepts injected
   * faults (src/testing/lease-thread-faults.ts). Production workers never pass it.
   */
  onLeaseThread?: (thread: LeaseThreadHandle) => void;
}

/** Shard discovery and lease creation (the sync layer), as the worker uses it. */
export interface ShardSyncPort {
  /** One full sync: create leases for shards that have none (hierarchical rules, create-if-absent). */
  syncShards(): Promise<void>;
  /** Children of a closed shard (by its lease key) from ListShards (GetRecords named none, e.g. on kinesalite). */
  discoverChildShards(parentLeaseKey: string): Promise<ChildShard[]>;
  /** Creates missing child leases (merge guard included); returns the child shard ids this call created. */
  createChildLeases(parentLeaseKey: string, children: ChildShard[]): Promise<string[]>;
}

export type ShardSyncFactory = (
  kinesis: KinesisPort,
  store: WorkerTableStore,
  context: { config: ResolvedConfig; events: EventBus; clock: Clock },
) => ShardSyncPort;

export interface StopResult {
  /** True when every processor got shutdownRequested, checkpointed and every lease was released in time. */
  clean: boolean;
}

export interface Worker {
  readonly workerId: string;
  readonly config: ResolvedConfig;
  /** Every engine event (spec §7). Subscribe before start() to see worker-started. */
  readonly events: EventBus;
  /**
   * Checks the stream and lease table (DependencyError naming resource, region and endpoint),
   * then starts sync, renewer, taker and shard consumers. Resolves once running.
   */
  start(): Promise<void>;
  /** Graceful stop (idempotent): stop taking, shutdownRequested, final checkpoints, release leases. */
  stop(reason?: string): Promise<StopResult>;
  /**
   * Settles when the worker has stopped for any reason: resolves after stop(), rejects with
   * ProcessorFailedError (on-error exit) or another KclError when the worker had to stop by itself.
   */
  readonly done: Promise<StopResult>;
}
