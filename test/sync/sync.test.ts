// syncShards, discoverChildShards and createChildLeases on FakeKinesis + MemoryLeaseStore.
import { describe, expect, test } from "bun:test";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import type { Lease } from "../../src/leases/lease.ts";
import { createChildLeases, discoverChildShards } from "../../src/sync/children.ts";
import { syncShards } from "../../src/sync/sync.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { FakeKinesis } from "../../src/testing/fake-kinesis.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";

const id = (n: number) => `shardId-${String(n).padStart(12, "0")}`;

function setup(shards = 4) {
  const clock = new FakeClock();
  const kinesis = new FakeKinesis({ clock });
  kinesis.createStream("s", shards);
  const store = new MemoryLeaseStore();
  const events = new EventBus("w1", () => clock.now());
  const seen: KclEvent[] = [];
  events.onAny((e) => seen.push(e));
  const sync = (initialPosition: "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP" = "TRIM_HORIZON") =>
    syncShards({ kinesis, store, stream: "s", initialPosition, events, clock });
  return { clock, kinesis, store, events, seen, sync };
}

const finish = (store: MemoryLeaseStore, key: string) => {
  const l = store.peek(key)!;
  store.put({ ...l, checkpoint: { sequenceNumber: "SHARD_END", subSequenceNumber: 0 } });
};

describe("syncShards", () => {
  test("creates one unowned lease per shard, emits shard-sync, and is idempotent", async () => {
    const w = setup(4);
    const first = await w.sync("LATEST");
    expect(first.created).toEqual([0, 1, 2, 3].map(id));
    expect(first.shards.length).toBe(4);
    const leases = w.store.snapshot();
    expect(
      leases.map((l) => [l.leaseKey, l.checkpoint.sequenceNumber, l.leaseOwner, l.leaseCounter]),
    ).toEqual([0, 1, 2, 3].map((n) => [id(n), "LATEST", undefined, 0]));
    expect(leases[0]!.hashKeyRange?.startingHashKey).toBe("0");
    expect(w.seen.find((e) => e.type === "shard-sync")).toMatchObject({
      shards: 4,
      leasesCreated: first.created,
    });
    expect((await w.sync("LATEST")).created).toEqual([]);
  });

  test("workers syncing at once create every lease exactly once", async () => {
    const w = setup(8);
    w.kinesis.splitShard("s", id(0));
    w.kinesis.mergeShards("s", id(1), id(2));
    const results = await Promise.all([w.sync(), w.sync(), w.sync()]);
    const all = results.flatMap((r) => r.created).sort();
    expect(all).toEqual([...new Set(all)]);
    expect(all).toEqual(w.store.snapshot().map((l) => l.leaseKey));
    // TRIM_HORIZON: the closed parents get leases, their children wait for them.
    expect(all).toContain(id(0));
    expect(all).not.toContain(id(8));
  });

  test("after a split, the next sync leaves the children to the parent's shard end", async () => {
    const w = setup(2);
    await w.sync("LATEST");
    w.kinesis.splitShard("s", id(0));
    expect((await w.sync("LATEST")).created).toEqual([]);
    finish(w.store, id(0)); // the shard end "forgot" its children: the sync repairs it
    const repaired = await w.sync("LATEST");
    expect(repaired.created).toEqual([id(2), id(3)]);
    expect(w.store.peek(id(2))!.parentShardIds).toEqual([id(0)]);
    expect(w.store.peek(id(2))!.checkpoint.sequenceNumber).toBe("TRIM_HORIZON");
  });

  test("listing failures propagate (the caller retries the sync)", async () => {
    const w = setup(1);
    w.kinesis.failNext("listShards", new Error("nope"));
    await expect(w.sync()).rejects.toThrow("nope");
  });
});

describe("discoverChildShards", () => {
  test("finds split and merge children with all their parents", async () => {
    const w = setup(3);
    const [l, r] = w.kinesis.splitShard("s", id(0));
    const m = w.kinesis.mergeShards("s", id(1), id(2));
    const split = await discoverChildShards(w.kinesis, "s", id(0));
    expect(split.map((c) => [c.shardId, c.parentShards])).toEqual([
      [l, [id(0)]],
      [r, [id(0)]],
    ]);
    const merged = await discoverChildShards(w.kinesis, "s", id(2));
    expect(merged.map((c) => [c.shardId, c.parentShards])).toEqual([[m, [id(1), id(2)]]]);
    expect(await discoverChildShards(w.kinesis, "s", l)).toEqual([]);
  });
});

describe("createChildLeases", () => {
  test("split: both children at TRIM_HORIZON with parent and hash range; a second call finds them", async () => {
    const w = setup(1);
    await w.sync();
    w.kinesis.splitShard("s", id(0));
    const children = await discoverChildShards(w.kinesis, "s", id(0));
    const res = await createChildLeases(w.store, id(0), children);
    expect(res).toEqual({ created: [id(1), id(2)], existing: [], createdCoParents: [], blocked: [] });
    const child: Lease = w.store.peek(id(1))!;
    expect(child.checkpoint).toEqual({ sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 });
    expect(child.parentShardIds).toEqual([id(0)]);
    expect(child.hashKeyRange).toEqual(children[0]!.hashKeyRange);
    expect((await createChildLeases(w.store, id(0), children)).existing).toEqual([id(1), id(2)]);
  });

  test("merge with both parent leases: created once even when both parents finish at once", async () => {
    const w = setup(2);
    await w.sync();
    w.kinesis.mergeShards("s", id(0), id(1));
    const children = await discoverChildShards(w.kinesis, "s", id(0));
    const [a, b] = await Promise.all([
      createChildLeases(w.store, id(0), children),
      createChildLeases(w.store, id(1), children),
    ]);
    expect([...a.created, ...b.created]).toEqual([id(2)]);
    expect(w.store.peek(id(2))!.parentShardIds).toEqual([id(0), id(1)]);
  });

  test("merge guard: a missing co-parent lease blocks without kinesis, else gets a TRIM_HORIZON lease first", async () => {
    const w = setup(2);
    await w.sync();
    await w.store.deleteLease(id(1));
    w.kinesis.mergeShards("s", id(0), id(1));
    const children = await discoverChildShards(w.kinesis, "s", id(0));
    expect(await createChildLeases(w.store, id(0), children)).toEqual({
      created: [],
      existing: [],
      createdCoParents: [],
      blocked: [{ shardId: id(2), missingParents: [id(1)] }],
    });
    expect(w.store.peek(id(2))).toBeUndefined();
    const res = await createChildLeases(w.store, id(0), children, { kinesis: w.kinesis, stream: "s" });
    expect(res.createdCoParents).toEqual([id(1)]);
    expect(res.created).toEqual([id(2)]);
    expect(w.store.peek(id(1))!.checkpoint.sequenceNumber).toBe("TRIM_HORIZON");
  });

  test("merge guard: a co-parent trimmed out of the stream is not waited for", async () => {
    const clock = new FakeClock();
    const kinesis = new FakeKinesis({ clock, retentionMs: 1000 });
    kinesis.createStream("s", 3);
    kinesis.splitShard("s", id(2)); // 2 -> 3, 4
    await clock.advance(2000); // shard 2 leaves retention
    kinesis.mergeShards("s", id(1), id(3));
    const store = new MemoryLeaseStore();
    const children = await discoverChildShards(kinesis, "s", id(1));
    store.put({
      leaseKey: id(1),
      leaseCounter: 3,
      checkpoint: { sequenceNumber: "SHARD_END", subSequenceNumber: 0 },
      ownerSwitchesSinceCheckpoint: 0,
      parentShardIds: [],
      childShardIds: [],
    });
    // The co-parent 3 exists (unleased): it is created; its parent 2 is gone, so 3 will not wait.
    const res = await createChildLeases(store, id(1), children, { kinesis, stream: "s" });
    expect(res.createdCoParents).toEqual([id(3)]);
    expect(res.created).toEqual([id(5)]);
    expect(store.peek(id(3))!.parentShardIds).toEqual([id(2)]);
    await clock.advance(2000); // now 1 and 3 are gone as well
    await store.deleteLease(id(3));
    await store.deleteLease(id(5));
    const again = await createChildLeases(store, id(1), children, { kinesis, stream: "s" });
    expect(again).toEqual({ created: [id(5)], existing: [], createdCoParents: [], blocked: [] });
  });
});
