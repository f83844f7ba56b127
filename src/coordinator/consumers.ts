// Builds the shard consumer for one acquired lease: the lifecycle wired to the lease coordinator,
// the lease store (parents), the sync layer (children) and a polling ShardReader.
import type { ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { KclError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { Random } from "../core/random.ts";
import type { LeaseCoordinator } from "../leases/coordinator.ts";
import type { Lease } from "../leases/lease.ts";
import { ShardConsumer } from "../lifecycle/consumer.ts";
import type { ProcessorPlugin } from "../plugin.ts";
import { createShardReader } from "../retrieval/shard-reader.ts";
import type { WorkerParts } from "./parts.ts";

export interface ConsumerFactoryOptions {
  config: ResolvedConfig;
  workerId: string;
  processor: ProcessorPlugin;
  parts: WorkerParts;
  coordinator: LeaseCoordinator;
  clock: Clock;
  random: Random;
  events: EventBus;
  onFatal: (error: KclError) => void;
}

export function shardConsumerFactory(o: ConsumerFactoryOptions): (lease: Lease) => ShardConsumer {
  const { config, parts, clock, random, events } = o;
  return (lease) =>
    new ShardConsumer({
      lease,
      config,
      workerId: o.workerId,
      processor: o.processor,
      leases: o.coordinator,
      parents: parts.store,
      shardEnd: parts.sync,
      clock,
      random,
      events,
      onFatal: o.onFatal,
      openRecords: ({ lease: held, start, signal }) =>
        createShardReader({
          kinesis: parts.kinesis,
          stream: config.stream,
          shardId: held.leaseKey,
          start,
          timestamp: config.timestamp,
          maxRecords: config.maxRecords,
          idleTimeMs: config.idleTimeMs,
          pollIntervalMs: config.pollIntervalMs,
          hashKeyRange: held.hashKeyRange,
          clock,
          random,
          events,
          signal,
        }),
    });
}
