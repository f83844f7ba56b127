// FakeKinesis behaviour beyond the shared contract: iterator expiry on the injected clock, faults,
// retention, MillisBehindLatest and the kinesalite-like mode without ChildShards.
import { describe, expect, test } from "bun:test";
import { DependencyError, ExpiredIteratorError, ThrottledError } from "../../src/core/errors.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { FakeKinesis } from "../../src/testing/fake-kinesis.ts";

const S0 = "shardId-000000000000";

function setup(options: Partial<ConstructorParameters<typeof FakeKinesis>[0]> = {}) {
  const clock = new FakeClock();
  const fake = new FakeKinesis({ clock, ...options });
  fake.createStream("s", 1);
  return { clock, fake };
}

describe("FakeKinesis", () => {
  test("iterators expire after iteratorTtlMs of the injected monotonic clock", async () => {
    const { clock, fake } = setup({ iteratorTtlMs: 1000 });
    const it = await fake.getShardIterator("s", S0, { type: "TRIM_HORIZON" });
    await clock.advance(1000);
    const next = (await fake.getRecords(it, 10)).nextShardIterator!;
    await clock.advance(1001);
    const err = await fake.getRecords(next, 10).catch((e) => e);
    expect(err).toBeInstanceOf(ExpiredIteratorError);
    expect(err.context.shardId).toBe(S0);
    const fresh = await fake.getShardIterator("s", S0, { type: "TRIM_HORIZON" });
    fake.expireIterators();
    expect(await fake.getRecords(fresh, 10).catch((e) => e)).toBeInstanceOf(ExpiredIteratorError);
  });

  test("failNext injects errors per operation and shard, then recovers", async () => {
    const { fake } = setup();
    fake.throttleGetRecords(2, S0);
    fake.failNext("listShards", new Error("boom"));
    expect(await fake.listShards("s").catch((e) => e.message)).toBe("boom");
    expect((await fake.listShards("s")).length).toBe(1);
    const it = await fake.getShardIterator("s", S0, { type: "TRIM_HORIZON" });
    expect(await fake.getRecords(it, 1).catch((e) => e)).toBeInstanceOf(ThrottledError);
    expect(await fake.getRecords(it, 1).catch((e) => e)).toBeInstanceOf(ThrottledError);
    expect((await fake.getRecords(it, 1)).records).toEqual([]);
    expect(fake.calls.filter((c) => c.operation === "getRecords").length).toBe(3);
  });

  test("millisBehindLatest counts from the oldest record left unread", async () => {
    const { clock, fake } = setup();
    fake.putRecords("s", [{ partitionKey: "a", data: "1" }]);
    await clock.advance(5000);
    fake.putRecords("s", [{ partitionKey: "a", data: "2" }]);
    const it = await fake.getShardIterator("s", S0, { type: "TRIM_HORIZON" });
    const first = await fake.getRecords(it, 1);
    expect(first.millisBehindLatest).toBe(1); // the unread record arrived just now
    await clock.advance(300);
    expect((await fake.getRecords(first.nextShardIterator!, 1)).millisBehindLatest).toBe(0);
  });

  test("retention trims old records and deletes shards closed longer ago", async () => {
    const { clock, fake } = setup({ retentionMs: 10_000 });
    fake.putRecords("s", [{ partitionKey: "a", data: "old" }]);
    await clock.advance(6000);
    fake.putRecords("s", [{ partitionKey: "a", data: "young" }]);
    await clock.advance(6000);
    const it = await fake.getShardIterator("s", S0, { type: "TRIM_HORIZON" });
    const page = await fake.getRecords(it, 10);
    expect(page.records.map((r) => new TextDecoder().decode(r.data))).toEqual(["young"]);
    fake.splitShard("s", S0);
    expect((await fake.listShards("s")).length).toBe(3);
    await clock.advance(10_001);
    expect((await fake.listShards("s")).map((s) => s.shardId)).toEqual([
      "shardId-000000000001",
      "shardId-000000000002",
    ]);
    const err = await fake.getShardIterator("s", S0, { type: "TRIM_HORIZON" }).catch((e) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect(err.message).toContain(S0);
  });

  test("shard end: records and the end come together; ChildShards only when enabled", async () => {
    for (const childShardsAtShardEnd of [true, false]) {
      const { fake } = setup({ childShardsAtShardEnd });
      fake.putRecords("s", [{ partitionKey: "a", data: "x" }]);
      fake.splitShard("s", S0);
      const it = await fake.getShardIterator("s", S0, { type: "TRIM_HORIZON" });
      const page = await fake.getRecords(it, 10);
      expect(page.records.length).toBe(1);
      expect(page.nextShardIterator).toBeUndefined();
      expect(page.childShards?.map((c) => c.shardId)).toEqual(
        childShardsAtShardEnd ? ["shardId-000000000001", "shardId-000000000002"] : undefined,
      );
      if (childShardsAtShardEnd) expect(page.childShards![0]!.parentShards).toEqual([S0]);
    }
  });

  test("a deleted stream is missing", async () => {
    const { fake } = setup();
    fake.deleteStream("s");
    expect(await fake.describeStream("s").catch((e) => e.code)).toBe("KCL_DEPENDENCY_MISSING");
  });
});
