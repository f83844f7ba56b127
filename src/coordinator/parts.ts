// Builds what a worker runs on: the Kinesis port, the lease store (AWS adapters unless injected) and
// the resharding helpers, each with the target (region, endpoint) its errors must name.
import { type ClientTarget, createDynamoDbClient, createKinesisClient } from "../aws/clients.ts";
import type { ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Random } from "../core/random.ts";
import { createAwsKinesis } from "../kinesis/aws-kinesis.ts";
import type { FanOutPort } from "../kinesis/fan-out-port.ts";
import type { KinesisPort } from "../kinesis/port.ts";
import { createDynamoLeaseStore } from "../leases/dynamodb-store.ts";
import { createDynamoOperatorStore } from "../leases/dynamodb-operator-store.ts";
import type { LeaseOperatorStore } from "../leases/operator-store.ts";
import type { LeaseStore } from "../leases/store.ts";
import { buildFanOut } from "./fan-out-parts.ts";
import type { ShardSyncPort, WorkerDeps, WorkerOptions } from "./types.ts";

export interface WorkerParts {
  kinesis: KinesisPort;
  store: LeaseStore;
  /** Where operator requests (drain) are read; undefined: not watched. */
  operator?: LeaseOperatorStore;
  kinesisTarget: ClientTarget;
  dynamoTarget: ClientTarget;
  sync: ShardSyncPort;
  /** Set with retrieval efo (fan-out-parts.ts); consumerArn once the consumer is ACTIVE. */
  fanOut?: FanOutPort;
  consumerArn?: string;
  /** Closes the SDK clients this worker created (not injected ones). */
  close(): void;
}

export interface PartsContext {
  config: ResolvedConfig;
  options: WorkerOptions;
  deps: WorkerDeps;
  clock: Clock;
  random: Random;
  events: EventBus;
  makeSync: (kinesis: KinesisPort, store: LeaseStore) => ShardSyncPort;
}

export function buildParts(ctx: PartsContext): WorkerParts {
  const { config, options, deps } = ctx;
  const aws = { region: config.region, credentials: options.credentials };
  const closers: (() => void)[] = [];
  let kinesis = deps.kinesis;
  let kinesisTarget: ClientTarget = { region: config.region, endpoint: config.kinesisEndpoint };
  if (!kinesis) {
    const built = createKinesisClient({ ...aws, kinesisEndpoint: config.kinesisEndpoint });
    kinesis = createAwsKinesis(built.client, built.target);
    kinesisTarget = built.target;
    closers.push(() => built.client.destroy());
  }
  let store = deps.leaseStore;
  let operator = deps.operatorStore;
  let dynamoTarget: ClientTarget = { region: config.region, endpoint: config.dynamodbEndpoint };
  if (!store) {
    const built = createDynamoDbClient({ ...aws, dynamodbEndpoint: config.dynamodbEndpoint });
    store = createDynamoLeaseStore({
      client: built.client,
      table: config.table,
      target: built.target,
      clock: ctx.clock,
      random: ctx.random,
    });
    dynamoTarget = built.target;
    operator ??= createDynamoOperatorStore({
      client: built.client,
      table: config.table,
      target: built.target,
      clock: ctx.clock,
    });
    closers.push(() => built.client.destroy());
  }
  const fanOut = config.retrieval === "efo" ? buildFanOut(ctx, closers) : undefined;
  return {
    kinesis,
    ...(fanOut ? { fanOut } : {}),
    store,
    ...(operator ? { operator } : {}),
    kinesisTarget,
    dynamoTarget,
    sync: ctx.makeSync(kinesis, store),
    close: () => {
      for (const close of closers) close();
    },
  };
}
