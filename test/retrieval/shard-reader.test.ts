// ShardReader on FakeKinesis + FakeClock: start positions, filtering, pacing, prefetch, throttling,
// expired iterators, shard end, vanished shards and aborts — all deterministic.
import { describe, expect, test } from "bun:test";
import { backoffDelay, KINESIS_THROTTLE_BACKOFF } from "../../src/core/backoff.ts";
import { AbortedError, ConfigurationError, DependencyError, ThrottledError } from "../../src/core/errors.ts";
import { seededRandom } from "../../src/core/random.ts";
import type { KinesisPort } from "../../src/kinesis/port.ts";
import { flushAsync } from "../../src/testing/fake-clock.ts";
import { aggregate } from "../kinesis/support/kpl-aggregate.ts";
import { getRecordsCalls, LATEST, readRecords, reader, S0, settle, TRIM, text, world } from "./support.ts";

const put = (w: ReturnType<typeof world>, n: number, prefix = "r") =>
  w.fake.putRecords(
    "s",
    Array.from({ length: n }, (_, i) => ({ partitionKey: `k${i}`, data: `${prefix}${i}` })),
  );

describe("start positions", () => {
  test("TRIM_HORIZON delivers everything in order in batches of maxRecords", async () => {
    const w = world();
    put(w, 25);
    const r = reader(w, TRIM, { maxRecords: 10 });
    const { records, batches } = await readRecords(w, r, 25);
    expect(records.map(text)).toEqual(Array.from({ length: 25 }, (_, i) => `r${i}`));
    expect(batches.map((b) => b.records.length)).toEqual([10, 10, 5]);
    expect(records.every((r) => r.subSequenceNumber === 0 && !r.aggregated)).toBe(true);
    r.close();
  });

  test("a sequence-number checkpoint resumes after it (AT_SEQUENCE_NUMBER + filter)", async () => {
    const w = world();
    const puts = put(w, 10);
    const r = reader(w, { sequenceNumber: puts[3]!.sequenceNumber, subSequenceNumber: 0 });
    const { records } = await readRecords(w, r, 6);
    expect(records.map(text)).toEqual(["r4", "r5", "r6", "r7", "r8", "r9"]);
    const it = w.fake.calls.find((c) => c.operation === "getShardIterator");
    expect(it).toBeDefined();
    r.close();
  });

  test("a checkpoint inside a KPL aggregate resumes at the next sub-record", async () => {
    const w = world();
    const enc = new TextEncoder();
    const agg = aggregate(
      Array.from({ length: 5 }, (_, i) => ({ partitionKey: `p${i}`, data: enc.encode(`sub${i}`) })),
    );
    const [aggPut] = w.fake.putRecords("s", [{ partitionKey: agg.partitionKey, data: agg.data }]);
    put(w, 2, "plain");
    const r = reader(w, { sequenceNumber: aggPut!.sequenceNumber, subSequenceNumber: 2 });
    const { records } = await readRecords(w, r, 4);
    expect(records.map(text)).toEqual(["sub3", "sub4", "plain0", "plain1"]);
    expect(records.map((x) => [x.subSequenceNumber, x.aggregated])).toEqual([
      [3, true],
      [4, true],
      [0, false],
      [0, false],
    ]);
    r.close();
  });

  test("LATEST skips existing records; AT_TIMESTAMP uses the given timestamp; SHARD_END is an immediate end", async () => {
    const w = world();
    put(w, 3, "old");
    const latest = reader(w, LATEST);
    const first = await settle(w.clock, latest.next());
    expect(first.records).toEqual([]);
    await w.clock.advance(5000);
    const t = new Date(w.clock.now());
    put(w, 2, "new");
    expect((await readRecords(w, latest, 2)).records.map(text)).toEqual(["new0", "new1"]);
    latest.close();
    const atTs = reader(w, { sequenceNumber: "AT_TIMESTAMP", subSequenceNumber: 0 }, { timestamp: t });
    expect((await readRecords(w, atTs, 2)).records.map(text)).toEqual(["new0", "new1"]);
    atTs.close();
    const done = reader(w, { sequenceNumber: "SHARD_END", subSequenceNumber: 0 });
    expect(await settle(w.clock, done.next())).toEqual({ records: [], isAtShardEnd: true });
    expect(() => reader(w, { sequenceNumber: "AT_TIMESTAMP", subSequenceNumber: 0 })).toThrow(
      ConfigurationError,
    );
  });
});

describe("pacing and prefetch", () => {
  test("caught up: GetRecords every idleTimeMs; behind (full batch): back to back", async () => {
    const w = world();
    put(w, 30);
    const r = reader(w, TRIM, { maxRecords: 10, idleTimeMs: 1000 });
    await readRecords(w, r, 30);
    // three full batches back to back, then the partial/empty polls spaced by the idle time
    for (let i = 0; i < 4; i++) await settle(w.clock, r.next());
    const at = getRecordsCalls(w).map((c) => c.at);
    expect(at.slice(0, 4)).toEqual([0, 0, 0, 0]);
    const gaps = at.slice(4).map((t, i) => t - at[i + 3]!);
    expect(gaps.every((g) => g >= 1000 && g < 1100)).toBe(true);
    r.close();
  });

  test("exactly one batch is prefetched while the caller works", async () => {
    const w = world();
    put(w, 50);
    const r = reader(w, TRIM, { maxRecords: 10 });
    const b1 = await settle(w.clock, r.next());
    expect(b1.records.length).toBe(10);
    await w.clock.advance(10_000); // the "processor" takes its time
    expect(getRecordsCalls(w).length).toBe(2);
    const b2 = await settle(w.clock, r.next());
    expect(b2.records.map(text)[0]).toBe("r10");
    await w.clock.advance(10_000);
    expect(getRecordsCalls(w).length).toBe(3);
    r.close();
  });

  test("millisBehindLatest is reported per batch and > 0 means no pause", async () => {
    const w = world();
    put(w, 3);
    await w.clock.advance(60_000);
    put(w, 1);
    const r = reader(w, TRIM, { maxRecords: 3, idleTimeMs: 5000 });
    const b1 = await settle(w.clock, r.next());
    expect(b1.millisBehindLatest).toBeGreaterThan(0);
    const b2 = await settle(w.clock, r.next());
    expect(b2.millisBehindLatest).toBe(0);
    const at = getRecordsCalls(w).map((c) => c.at);
    expect(at[1]! - at[0]!).toBe(0);
    r.close();
  });
});

describe("faults", () => {
  test("throttling: jittered backoff on the clock, 'throttled' events, nothing lost", async () => {
    const w = world();
    put(w, 20);
    w.fake.throttleGetRecords(3);
    const r = reader(w, TRIM, { maxRecords: 10, random: seededRandom(99) });
    const { records } = await readRecords(w, r, 20);
    expect(records.map(text)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
    const throttled = w.seen.filter((e) => e.type === "throttled");
    const expectedRandom = seededRandom(99);
    const expected = [1, 2, 3].map((a) => backoffDelay(KINESIS_THROTTLE_BACKOFF, a, expectedRandom));
    expect(throttled.map((e) => (e as { retryInMs: number }).retryInMs)).toEqual(expected);
    expect(
      throttled.every((e) => e.type === "throttled" && e.shardId === S0 && e.operation === "GetRecords"),
    ).toBe(true);
    const at = getRecordsCalls(w).map((c) => c.at);
    expect(at[3]! - at[0]!).toBeGreaterThanOrEqual(expected.reduce((a, b) => a + b, 0));
    r.close();
  });

  test("expired iterator: re-fetched AFTER the last fetched record, no skip, no duplicate", async () => {
    const w = world({ iteratorTtlMs: 1000 });
    put(w, 10);
    const r = reader(w, TRIM, { maxRecords: 4 });
    const b1 = await settle(w.clock, r.next()); // r0-3; prefetch of r4-7 starts
    await flushAsync();
    w.fake.expireIterators();
    await w.clock.advance(5000); // slow processor: the next iterator ages out too
    const rest = await readRecords(w, r, 6);
    expect([...b1.records, ...rest.records].map(text)).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
    expect(w.seen.filter((e) => e.type === "iterator-expired").length).toBeGreaterThanOrEqual(1);
    r.close();
  });

  test("expired iterator before any record: TRIM_HORIZON restarts at the trim horizon", async () => {
    const w = world();
    const r = reader(w, TRIM);
    expect((await settle(w.clock, r.next())).records).toEqual([]);
    w.fake.expireIterators();
    put(w, 3);
    expect((await readRecords(w, r, 3)).records.map(text)).toEqual(["r0", "r1", "r2"]);
    expect(w.seen.some((e) => e.type === "iterator-expired")).toBe(true);
    r.close();
  });

  test("expired LATEST iterator before any record: nothing put after the start is skipped", async () => {
    const w = world();
    put(w, 2, "old");
    await w.clock.advance(10_000);
    const r = reader(w, LATEST);
    expect((await settle(w.clock, r.next())).records).toEqual([]);
    put(w, 2, "new");
    w.fake.expireIterators();
    expect((await readRecords(w, r, 2)).records.map(text)).toEqual(["new0", "new1"]);
    r.close();
  });

  test("an AT_TIMESTAMP restart that never answers (kinesalite on an idle shard) falls back to LATEST", async () => {
    const w = world();
    const stalling: KinesisPort = {
      describeStream: (s) => w.fake.describeStream(s),
      listShards: (s) => w.fake.listShards(s),
      getShardIterator: (s, id, p) =>
        p.type === "AT_TIMESTAMP" ? new Promise(() => {}) : w.fake.getShardIterator(s, id, p),
      getRecords: (it, n, ref) => w.fake.getRecords(it, n, ref),
    };
    const r = reader(w, LATEST, { kinesis: stalling });
    expect((await settle(w.clock, r.next())).records).toEqual([]);
    w.fake.expireIterators();
    await settle(w.clock, r.next());
    expect(w.seen.some((e) => e.type === "warning" && e.message.includes("restarting at LATEST"))).toBe(true);
    put(w, 2, "later");
    expect((await readRecords(w, r, 2)).records.map(text)).toEqual(["later0", "later1"]);
    expect(w.clock.pendingSleeps).toBeLessThanOrEqual(1);
    r.close();
  });

  test("unreachable endpoint: retried with backoff and a warning", async () => {
    const w = world();
    put(w, 2);
    w.fake.failNext(
      "getRecords",
      () => new DependencyError("down", "unreachable", { operation: "GetRecords" }),
      {
        times: 2,
      },
    );
    const r = reader(w, TRIM);
    expect((await readRecords(w, r, 2)).records.map(text)).toEqual(["r0", "r1"]);
    expect(w.seen.filter((e) => e.type === "warning").length).toBe(2);
    r.close();
  });
});

describe("shard end", () => {
  test("a split parent ends with its children; later calls return the empty end without I/O", async () => {
    const w = world();
    put(w, 3);
    const children = w.fake.splitShard("s", S0);
    const r = reader(w, TRIM);
    const b = await settle(w.clock, r.next());
    expect(b.records.map(text)).toEqual(["r0", "r1", "r2"]);
    expect(b.isAtShardEnd).toBe(true);
    expect(b.childShards?.map((c) => c.shardId)).toEqual(children);
    const calls = w.fake.calls.length;
    const again = await settle(w.clock, r.next());
    expect(again.records).toEqual([]);
    expect(again.isAtShardEnd).toBe(true);
    expect(w.fake.calls.length).toBe(calls);
    r.close();
  });

  test("a shard trimmed out of retention ends without children and warns; a deleted stream throws", async () => {
    const w = world();
    w.fake.splitShard("s", S0);
    await w.clock.advance(25 * 3600_000);
    const r = reader(w, TRIM);
    const b = await settle(w.clock, r.next());
    expect(b).toEqual({ records: [], isAtShardEnd: true });
    expect(w.seen.some((e) => e.type === "warning" && e.message.includes("no longer exists"))).toBe(true);
    const w3 = world();
    w3.fake.splitShard("s", S0);
    await w3.clock.advance(25 * 3600_000);
    w3.fake.failNext("listShards", () => new ThrottledError("slow down", { operation: "ListShards" }));
    expect(await settle(w3.clock, reader(w3, TRIM).next())).toEqual({ records: [], isAtShardEnd: true });
    expect(w3.seen.some((e) => e.type === "throttled" && e.operation === "ListShards")).toBe(true);
    const w2 = world();
    w2.fake.deleteStream("s");
    const err = await settle(w2.clock, reader(w2, TRIM).next()).catch((e) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect(err.code).toBe("KCL_DEPENDENCY_MISSING");
  });
});

describe("abort and close", () => {
  test("aborting during the idle pause rejects next() at once; later calls reject too", async () => {
    const w = world();
    const controller = new AbortController();
    const r = reader(w, TRIM, { signal: controller.signal, idleTimeMs: 60_000 });
    await settle(w.clock, r.next());
    const pending = r.next();
    await w.clock.advance(100);
    controller.abort();
    expect(await pending.catch((e) => e)).toBeInstanceOf(AbortedError);
    expect(await r.next().catch((e) => e)).toBeInstanceOf(AbortedError);
    expect(w.clock.pendingSleeps).toBe(0);
  });

  test("close() rejects a next() stuck in a GetRecords that never answers", async () => {
    const w = world();
    const hanging: KinesisPort = {
      ...w.fake,
      describeStream: (s) => w.fake.describeStream(s),
      listShards: (s) => w.fake.listShards(s),
      getShardIterator: (s, id, p) => w.fake.getShardIterator(s, id, p),
      getRecords: () => new Promise(() => {}),
    };
    const r = reader(w, TRIM, { kinesis: hanging });
    const pending = r.next();
    await flushAsync();
    r.close();
    expect(await pending.catch((e) => e)).toBeInstanceOf(AbortedError);
  });
});

describe("KPL", () => {
  test("aggregates are de-aggregated; out-of-range sub-records are delivered with a warning, or dropped", async () => {
    for (const mode of ["deliver", "drop"] as const) {
      const w = world({ shards: 2 });
      const [s0] = await w.fake.listShards("s");
      const enc = new TextEncoder();
      const subs = Array.from({ length: 20 }, (_, i) => ({
        partitionKey: `key${i}`,
        data: enc.encode(`v${i}`),
      }));
      const agg = aggregate(subs);
      w.fake.putRecord("s", agg.partitionKey, agg.data, "1"); // lands in shard 0 whatever its keys
      const r = reader(w, TRIM, { hashKeyRange: s0!.hashKeyRange, kplOutOfRange: mode });
      const b = await settle(w.clock, r.next());
      const warnings = w.seen.filter((e) => e.type === "warning");
      expect(warnings.length).toBe(1);
      if (mode === "deliver") expect(b.records.map(text)).toEqual(subs.map((_, i) => `v${i}`));
      else {
        expect(b.records.length).toBeGreaterThan(0);
        expect(b.records.length).toBeLessThan(20);
      }
      r.close();
    }
  });
});
