// Deterministic multi-worker simulation of whole workers: FakeKinesis + MemoryLeaseStore shared, one
// FakeClock per worker (plus one for the stream), stepped in lockstep; a recording processor per shard
// ownership so tests can check delivery order, duplicates and "at most one live processor per shard".
import { createWorker } from "../../../src/coordinator/worker.ts";
import type { ShardSyncFactory, Worker } from "../../../src/coordinator/types.ts";
import type { KclOptions } from "../../../src/config/options.ts";
import type { KclEvent } from "../../../src/core/events.ts";
import { seededRandom } from "../../../src/core/random.ts";
import type { Checkpointer, RecordProcessor } from "../../../src/plugin.ts";
import { FakeClock, flushAsync } from "../../../src/testing/fake-clock.ts";
import { FakeKinesis } from "../../../src/testing/fake-kinesis.ts";
import { MemoryLeaseStore } from "../../../src/testing/memory-lease-store.ts";

export const STREAM = "sim-stream";

export interface Delivery {
  worker: string;
  instance: number;
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: string;
  /** Simulated time of the delivery. */
  t: number;
}

export interface ProcessorInstance {
  id: number;
  worker: string;
  /** The owning worker's clock (a slow processor sleeps on it). */
  clock: FakeClock;
  shardId: string;
  live: boolean;
  checkpointer?: Checkpointer;
}

export interface SimWorker {
  id: string;
  clock: FakeClock;
  worker: Worker;
  events: KclEvent[];
  /** A frozen worker's time stands still: it behaves like a crashed process. */
  frozen: boolean;
}

export interface WorkerSimOptions {
  seed: number;
  shards: number;
  options?: Partial<KclOptions>;
  stepMs?: number;
  /** Called inside processRecords (may throw or checkpoint). */
  onBatch?: (instance: ProcessorInstance, records: number) => void | Promise<void>;
  shardSync?: ShardSyncFactory;
}

export class WorkerSim {
  readonly world = new FakeClock();
  readonly kinesis = new FakeKinesis({ clock: this.world, childShardsAtShardEnd: false });
  readonly store = new MemoryLeaseStore({ table: "sim" });
  readonly workers: SimWorker[] = [];
  readonly deliveries: Delivery[] = [];
  readonly instances: ProcessorInstance[] = [];
  readonly stepMs: number;
  elapsed = 0;

  constructor(readonly o: WorkerSimOptions) {
    this.kinesis.createStream(STREAM, o.shards);
    this.stepMs = o.stepMs ?? 100;
  }

  put(partitionKey: string, data: string) {
    return this.kinesis.putRecord(STREAM, partitionKey, data);
  }

  async addWorker(id: string): Promise<SimWorker> {
    const clock = new FakeClock(this.elapsed, Date.UTC(2026, 0, 1) + this.elapsed);
    const events: KclEvent[] = [];
    const worker = createWorker(
      {
        app: "sim-app",
        stream: STREAM,
        workerId: id,
        initialPosition: "TRIM_HORIZON",
        failoverMs: 3000,
        idleTimeMs: 200,
        checkpointIntervalMs: 1000,
        shutdownTimeoutMs: 5000,
        ...this.o.options,
        processor: (ctx) => this.processor(id, ctx.shardId, clock),
      },
      {
        kinesis: this.kinesis,
        leaseStore: this.store,
        clock,
        random: seededRandom(this.o.seed * 1000 + this.workers.length),
        ...(this.o.shardSync ? { shardSync: this.o.shardSync } : {}),
      },
    );
    worker.events.onAny((e) => events.push(e));
    const sim: SimWorker = { id, clock, worker, events, frozen: false };
    this.workers.push(sim);
    await worker.start();
    await flushAsync();
    return sim;
  }

  private processor(worker: string, shardId: string, clock: FakeClock): RecordProcessor {
    const instance: ProcessorInstance = { id: this.instances.length, worker, clock, shardId, live: true };
    this.instances.push(instance);
    const dead = () => {
      instance.live = false;
    };
    const decoder = new TextDecoder();
    return {
      processRecords: async ({ records, checkpointer }) => {
        instance.checkpointer = checkpointer;
        if (!instance.live) throw new Error(`processor ${instance.id} called after it ended`);
        await this.o.onBatch?.(instance, records.length);
        for (const r of records) {
          this.deliveries.push({
            worker,
            instance: instance.id,
            shardId,
            sequenceNumber: r.sequenceNumber,
            partitionKey: r.partitionKey,
            data: decoder.decode(r.data),
            t: this.elapsed,
          });
        }
      },
      leaseLost: dead,
      shardEnded: dead,
      shutdownRequested: dead,
    };
  }

  /** Advances every clock by `ms` in steps, calling `check` after each step. */
  async run(ms: number, check?: () => void): Promise<void> {
    for (let t = 0; t < ms; t += this.stepMs) {
      this.elapsed += this.stepMs;
      await this.world.advance(this.stepMs);
      for (const w of this.workers) if (!w.frozen) await w.clock.advance(this.stepMs);
      check?.();
    }
  }

  /** Steps until `done()` or `maxMs` passed; throws on timeout. */
  /** Steps until `count` distinct records (by data) were delivered, whoever delivered them. */
  untilDelivered(count: number, check?: () => void, maxMs = 20_000): Promise<void> {
    return this.until(
      `${count} delivered`,
      () => new Set(this.deliveries.map((d) => d.data)).size >= count,
      maxMs,
      check,
    );
  }

  async until(what: string, done: () => boolean, maxMs = 60_000, check?: () => void): Promise<void> {
    for (let t = 0; t <= maxMs; t += this.stepMs) {
      if (done()) return;
      await this.run(this.stepMs, check);
    }
    throw new Error(`simulation: ${what} did not happen within ${maxMs} ms`);
  }

  /** Stops a worker gracefully while time keeps moving for everyone. */
  async stopWorker(w: SimWorker): Promise<{ clean: boolean }> {
    let result: { clean: boolean } | undefined;
    const stopping = w.worker.stop("test").then((r) => {
      result = r;
    });
    await this.until(`${w.id} stopped`, () => result !== undefined, 20_000);
    await stopping;
    return result!;
  }

  ownersOf(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const l of this.store.snapshot()) {
      if (l.leaseOwner && l.checkpoint.sequenceNumber !== "SHARD_END")
        counts[l.leaseOwner] = (counts[l.leaseOwner] ?? 0) + 1;
    }
    return counts;
  }

  /** Stops every worker that is not frozen (test teardown). */
  async stopAll(): Promise<void> {
    for (const w of this.workers) if (!w.frozen) await this.stopWorker(w);
  }
}
