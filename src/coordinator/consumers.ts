// Builds the shard consumer for one acquired lease: the lifecycle wired to the lease coordinator,
// the lease store (parents), the sync layer (children) and a polling or fan-out record source on the
// lease's stream (multi-stream lease keys name it).
import type { ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { KclError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { Random } from "../core/random.ts";
import type { LeaseCoordinator } from "../leases/coordinator.ts";
import type { Lease } from "../leases/lease.ts";
import { ShardConsumer } from "../lifecycle/consumer.ts";
import type { ProcessorPlugin } from "../plugin.ts";
import { FanOutHealth } from "../retrieval/fan-out-health.ts";
import { createFanOutReader } from "../retrieval/fan-out-reader.ts";
import { ShardEndProbe } from "../retrieval/shard-end-probe.ts";
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
  // One per worker: whether this runtime's HTTP/2 client can carry SubscribeToShard at all.
  const health = new FanOutHealth(events);
  return (lease) => {
    // Multi-stream lease keys name the stream and shard; a plain key is a shard of the only stream.
    const parsed = parseLeaseKey(lease.leaseKey);
    const stream = parsed.stream?.name ?? config.stream;
    const shardId = parsed.shardId;
    return new ShardConsumer({
      lease,
      config,
      workerId: o.workerId,
      shardId,
      streamName: stream,
      processor: o.processor,
      leases: o.coordinator,
      parents: parts.store,
      shardEnd: parts.sync,
      clock,
      random,
      events,
      onFatal: o.onFatal,
      openRecords: ({ lease: held, start, timestamp, signal }) => {
        const polling = (from: typeof start) =>
          createShardReader({
            kinesis: parts.kinesis,
            stream,
            shardId,
            leaseKey: held.leaseKey,
            start: from,
            timestamp: timestamp ?? config.timestamp,
            maxRecords: config.maxRecords,
            idleTimeMs: config.idleTimeMs,
            pollIntervalMs: config.pollIntervalMs,
            hashKeyRange: held.hashKeyRange,
            clock,
            random,
            events,
            signal,
          });
        // Enhanced fan-out is single-stream only (resolveConfig refuses it with several streams).
        if (!parts.fanOut || !parts.consumerArn) return polling(start);
        return createFanOutReader({
          fanOut: parts.fanOut,
          consumerArn: parts.consumerArn,
          health,
          fallback: polling,
          // kinesis-mock never sends the final event of a closed shard: detect it as often as shard sync.
          shardEndProbe: new ShardEndProbe({
            kinesis: parts.kinesis,
            stream,
            shardId,
            clock,
            events,
            intervalMs: config.shardSyncMs,
          }),
          stream,
          shardId,
          start,
          timestamp: timestamp ?? config.timestamp,
          hashKeyRange: held.hashKeyRange,
          clock,
          random,
          events,
          signal,
        });
      },
    });
  };
}
