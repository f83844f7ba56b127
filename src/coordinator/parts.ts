// Builds what a worker runs on, in two steps: the stream side (the Kinesis port and, with retrieval efo,
// fan-out) at once, then the lease table (lease-table-parts.ts) once the lease thread has started —
// each with the target (region, endpoint) its errors must name.
import type { ClientTarget } from "../aws/client-config.ts";
import { createKinesisClient } from "../aws/kinesis-client.ts";
import type { ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Random } from "../core/random.ts";
import { createAwsKinesis } from "../kinesis/aws-kinesis.ts";
import type { FanOutPort } from "../kinesis/fan-out-port.ts";
import type { KinesisPort } from "../kinesis/port.ts";
import type { LeaseThreadHandle } from "../leases/thread/threaded-coordinator.ts";
import type { WorkerTableStore } from "../leases/store.ts";
import { buildFanOut } from "./fan-out-parts.ts";
import { type LeaseTableParts, leaseTableParts } from "./lease-table-parts.ts";
import type { ShardSyncPort, WorkerDeps, WorkerOptions } from "./types.ts";

/** The stream side, built before any AWS call. */
export interface StreamParts {
  kinesis: KinesisPort;
  kinesisTarget: ClientTarget;
  /** Set with retrieval efo (fan-out-parts.ts); consumerArn once the consumer is ACTIVE. */
  fanOut?: FanOutPort;
  consumerArn?: string;
  /** Closes the SDK clients this worker created (not injected ones). */
  close(): void;
}

export interface WorkerParts extends StreamParts, Omit<LeaseTableParts, "close"> {
  sync: ShardSyncPort;
}

export interface PartsContext {
  config: ResolvedConfig;
  workerId: string;
  options: WorkerOptions;
  deps: WorkerDeps;
  clock: Clock;
  random: Random;
  events: EventBus;
  makeSync: (kinesis: KinesisPort, store: WorkerTableStore) => ShardSyncPort;
}

export function buildStreamParts(ctx: PartsContext): StreamParts {
  const { config, options, deps } = ctx;
  const closers: (() => void)[] = [];
  let kinesis = deps.kinesis;
  let kinesisTarget: ClientTarget = { region: config.region, endpoint: config.kinesisEndpoint };
  if (!kinesis) {
    const aws = { region: config.region, credentials: options.credentials };
    const built = createKinesisClient({ ...aws, kinesisEndpoint: config.kinesisEndpoint });
    const port = createAwsKinesis(built.client, built.target);
    kinesis = port;
    kinesisTarget = built.target;
    closers.push(() => {
      port.close();
      built.client.destroy();
    });
  }
  const fanOut = config.retrieval === "efo" ? buildFanOut(ctx, closers) : undefined;
  return {
    kinesis,
    kinesisTarget,
    ...(fanOut ? { fanOut } : {}),
    close: () => {
      for (const close of closers.splice(0)) close();
    },
  };
}

/**
 * Adds the lease table to `stream` (the same object, so whoever holds it calls the close() that closes
 * both): the lease thread's store when `thread` runs, else the injected or an in-process DynamoDB store.
 */
export async function addLeaseTable(
  stream: StreamParts,
  thread: LeaseThreadHandle | undefined,
  ctx: PartsContext,
): Promise<WorkerParts> {
  const table = await leaseTableParts({
    config: ctx.config,
    credentials: ctx.options.credentials,
    deps: ctx.deps,
    clock: ctx.clock,
    random: ctx.random,
    thread,
    workerId: ctx.workerId,
    events: ctx.events,
  });
  const closeStream = stream.close;
  const { close: closeTable, ...rest } = table;
  return Object.assign(stream, rest, {
    sync: ctx.makeSync(stream.kinesis, table.store),
    close: () => {
      closeStream();
      closeTable();
    },
  });
}
