// Helpers for driving a ShardReader on a FakeClock: collect events, step time until a promise settles.
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import type { ExtendedSequenceNumber } from "../../src/leases/lease.ts";
import type { KinesisRecord } from "../../src/plugin.ts";
import { createShardReader } from "../../src/retrieval/shard-reader.ts";
import type { Batch, ShardReaderOptions } from "../../src/retrieval/types.ts";
import { FakeClock, flushAsync } from "../../src/testing/fake-clock.ts";
import { FakeKinesis } from "../../src/testing/fake-kinesis.ts";

export const S0 = "shardId-000000000000";

export function world(
  options: { shards?: number; iteratorTtlMs?: number; childShardsAtShardEnd?: boolean } = {},
) {
  const clock = new FakeClock();
  const fake = new FakeKinesis({
    clock,
    iteratorTtlMs: options.iteratorTtlMs ?? 300_000,
    childShardsAtShardEnd: options.childShardsAtShardEnd ?? true,
  });
  fake.createStream("s", options.shards ?? 1);
  const events = new EventBus("w1", () => clock.now());
  const seen: KclEvent[] = [];
  events.onAny((e) => seen.push(e));
  return { clock, fake, events, seen };
}

export type World = ReturnType<typeof world>;

export function reader(w: World, start: ExtendedSequenceNumber, more: Partial<ShardReaderOptions> = {}) {
  return createShardReader({
    kinesis: w.fake,
    stream: "s",
    shardId: S0,
    start,
    maxRecords: 100,
    idleTimeMs: 1000,
    clock: w.clock,
    random: seededRandom(7),
    events: w.events,
    ...more,
  });
}

export const TRIM: ExtendedSequenceNumber = { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 };
export const LATEST: ExtendedSequenceNumber = { sequenceNumber: "LATEST", subSequenceNumber: 0 };

/** Advances the fake clock in `stepMs` steps until `promise` settles (fails after `maxMs`). */
export async function settle<T>(
  clock: FakeClock,
  promise: Promise<T>,
  maxMs = 120_000,
  stepMs = 10,
): Promise<T> {
  let state: "pending" | "done" = "pending";
  let value: T | undefined;
  let error: unknown;
  let failed = false;
  promise.then(
    (v) => {
      state = "done";
      value = v;
    },
    (e) => {
      state = "done";
      failed = true;
      error = e;
    },
  );
  await flushAsync();
  for (let t = 0; state === "pending"; t += stepMs) {
    if (t > maxMs) throw new Error(`still pending after ${maxMs} ms of fake time`);
    await clock.advance(stepMs);
  }
  if (failed) throw error;
  return value as T;
}

export const text = (r: KinesisRecord) => new TextDecoder().decode(r.data);

/** Reads batches until `count` records arrived (or shard end); returns the records and the batches. */
export async function readRecords(w: World, r: ReturnType<typeof reader>, count: number, maxBatches = 500) {
  const records: KinesisRecord[] = [];
  const batches: Batch[] = [];
  for (let i = 0; i < maxBatches && records.length < count; i++) {
    const b = await settle(w.clock, r.next());
    batches.push(b);
    records.push(...b.records);
    if (b.isAtShardEnd) break;
  }
  return { records, batches };
}

export function getRecordsCalls(w: World) {
  return w.fake.calls.filter((c) => c.operation === "getRecords");
}
