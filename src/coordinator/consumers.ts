// Builds the shard consumer for one acquired lease: the lifecycle wired to the lease coordinator,
// the lease store (parents), the sync layer (children) and a polling ShardReader on the lease's stream.
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
import { parseLeaseKey } from "../streams/identity.ts";
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
  return (lease) => {
    // Multi-stream lease keys name the stream and shard; a plain key is a shard of the only stream.
    const parsed = parseLeaseKey(lease.leaseKey);
    const stream = parsed.stream?.name ?? config.stream;
    return new ShardConsumer({
      lease,
      config,
      workerId: o.workerId,
      shardId: parsed.shardId,
      streamName: stream,
      processor: o.processor,
      leases: o.coordinator,
      parents: parts.store,
      shardEnd: parts.sync,
      clock,
      random,
      events,
      onFatal: o.onFatal,
      openRecords: ({ lease: held, start, timestamp, signal }) =>
        createShardReader({
          kinesis: parts.kinesis,
          stream,
          shardId: parsed.shardId,
          leaseKey: held.leaseKey,
          start,
          timestamp: timestamp ?? config.timestamp,
          maxRecords: config.maxRecords,
          idleTimeMs: config.idleTimeMs,
          hashKeyRange: held.hashKeyRange,
          clock,
          random,
          events,
          signal,
        }),
    });
  };
}
