// Stubs for shard-consumer unit tests: scripted record source, in-memory fenced checkpoints, FakeClock.
import type { ResolvedConfig } from "../../src/config/options.ts";
import { AbortedError } from "../../src/core/errors.ts";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import type { ChildShard } from "../../src/kinesis/port.ts";
import type { ExtendedSequenceNumber, Lease } from "../../src/leases/lease.ts";
import { ShardConsumer } from "../../src/lifecycle/consumer.ts";
import type { ShardBatch, ShardConsumerOptions } from "../../src/lifecycle/types.ts";
import type { KinesisRecord, ProcessorPlugin, RecordProcessor } from "../../src/plugin.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";

export function rec(seq: number | string, sub = 0, partitionKey = "pk"): KinesisRecord {
  return {
    sequenceNumber: String(seq),
    subSequenceNumber: sub,
    partitionKey,
    data: new TextEncoder().encode(`r${seq}.${sub}`),
    approximateArrivalTimestamp: new Date(0),
    aggregated: sub > 0,
  };
}

export function lease(over: Partial<Lease> = {}): Lease {
  return {
    leaseKey: "shardId-000000000001",
    leaseOwner: "w1",
    leaseCounter: 1,
    checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    ...over,
  };
}

export interface Harness {
  clock: FakeClock;
  events: KclEvent[];
  consumer: ShardConsumer;
  done: Promise<void>;
  /** Checkpoints that reached the "table", in order. */
  writes: ExtendedSequenceNumber[];
  /** Where each record source was opened. */
  opens: ExtendedSequenceNumber[];
  /** Appends batches the record source returns next. */
  push(...batches: ShardBatch[]): void;
  /** The record source's next call rejects with this. */
  failNext(error: Error): void;
  fatal: unknown[];
  /** From now on every checkpoint write is fenced (the lease moved). */
  fence(): void;
  parents: Map<string, Lease>;
  childCalls: { parent: string; children: string[] }[];
  discoverCalls: string[];
  ofType<T extends KclEvent["type"]>(type: T): Extract<KclEvent, { type: T }>[];
}

export interface HarnessOptions {
  lease?: Lease;
  processor: ProcessorPlugin;
  config?: Partial<ShardConsumerOptions["config"]>;
  discovered?: ChildShard[];
  idleTimeMs?: number;
  /** Parent leases present before the consumer starts. */
  parentLeases?: Lease[];
  /** Multi-stream: the bare shard id and the stream the processor is told. */
  shardId?: string;
  streamName?: string;
}

export function harness(options: HarnessOptions): Harness {
  const clock = new FakeClock();
  const bus = new EventBus("w1", () => clock.now());
  const events: KclEvent[] = [];
  bus.onAny((e) => events.push(e));
  const queue: ShardBatch[] = [];
  const failures: Error[] = [];
  const writes: ExtendedSequenceNumber[] = [];
  const opens: ExtendedSequenceNumber[] = [];
  const fatal: unknown[] = [];
  const parents = new Map<string, Lease>((options.parentLeases ?? []).map((l) => [l.leaseKey, l]));
  const childCalls: { parent: string; children: string[] }[] = [];
  const discoverCalls: string[] = [];
  let fenced = false;
  const idle = options.idleTimeMs ?? 1000;
  const config: ShardConsumerOptions["config"] = {
    app: "app",
    stream: "stream",
    checkpoint: "auto",
    checkpointIntervalMs: 5000,
    onError: "retry",
    idleTimeMs: idle,
    failoverMs: 10_000,
    ...options.config,
  } satisfies Partial<ResolvedConfig>;
  const consumer = new ShardConsumer({
    lease: options.lease ?? lease(),
    config,
    workerId: "w1",
    ...(options.shardId ? { shardId: options.shardId } : {}),
    ...(options.streamName ? { streamName: options.streamName } : {}),
    processor: options.processor,
    clock,
    random: seededRandom(7),
    events: bus,
    onFatal: (e) => fatal.push(e),
    leases: {
      async checkpoint(_key, update) {
        if (fenced) return { ok: false, reason: "counter-mismatch" };
        writes.push(update.checkpoint);
        return { ok: true, value: lease({ checkpoint: update.checkpoint }) };
      },
      async addChildShardIds() {},
    },
    parents: { getLease: async (key) => parents.get(key) },
    shardEnd: {
      async discoverChildShards(shardId) {
        discoverCalls.push(shardId);
        return options.discovered ?? [];
      },
      async createChildLeases(parent, children) {
        childCalls.push({ parent, children: children.map((c) => c.shardId) });
        return children.map((c) => c.shardId);
      },
    },
    openRecords({ start, signal }) {
      opens.push(start);
      let closed = false;
      return {
        async next() {
          if (closed || signal.aborted) throw new AbortedError("closed");
          const failure = failures.shift();
          if (failure) throw failure;
          const batch = queue.shift();
          if (batch) return batch;
          await clock.sleep(idle, signal);
          return { records: [], isAtShardEnd: false, millisBehindLatest: 0 };
        },
        close() {
          closed = true;
        },
      };
    },
  });
  const done = consumer.start();
  return {
    clock,
    events,
    consumer,
    done,
    writes,
    opens,
    push: (...b) => queue.push(...b),
    failNext: (e) => failures.push(e),
    fatal,
    fence: () => {
      fenced = true;
    },
    parents,
    childCalls,
    discoverCalls,
    ofType: (type) => events.filter((e) => e.type === type) as never,
  };
}

/** A processor that records every call; `onBatch` may throw or checkpoint. */
export function recorder(
  onBatch?: (input: Parameters<RecordProcessor["processRecords"]>[0], call: number) => unknown,
) {
  const calls: string[] = [];
  const delivered: string[] = [];
  let inFlight = 0;
  let overlaps = 0;
  let batches = 0;
  const enter = () => {
    if (++inFlight > 1) overlaps++;
  };
  const processor: RecordProcessor = {
    async initialize(input) {
      calls.push(`initialize:${input.checkpoint.sequenceNumber}`);
    },
    async processRecords(input) {
      enter();
      try {
        calls.push(`processRecords:${input.records.length}`);
        batches++;
        await onBatch?.(input, batches);
        for (const r of input.records) delivered.push(`${r.sequenceNumber}.${r.subSequenceNumber}`);
      } finally {
        inFlight--;
      }
    },
    async leaseLost() {
      enter();
      calls.push("leaseLost");
      inFlight--;
    },
    async shardEnded({ checkpointer }) {
      calls.push("shardEnded");
      await checkpointer.checkpoint();
    },
    async shutdownRequested() {
      enter();
      calls.push("shutdownRequested");
      inFlight--;
    },
  };
  return { processor, calls, delivered, overlaps: () => overlaps };
}
