// Shard sync in multi-stream mode (the worker's default sync over FakeKinesis + MemoryLeaseStore): one
// table, each stream's leases keyed account:stream:epoch:shardId with the streamName / shardId
// attributes; resharding and lease cleanup stay inside the stream whose lease key they start from.
import { describe, expect, test } from "bun:test";
import { resolveConfig } from "../../src/config/resolve.ts";
import { finishedLeasesToDelete } from "../../src/coordinator/lease-cleanup.ts";
import { defaultShardSync } from "../../src/coordinator/sync-adapter.ts";
import { ConfigurationError } from "../../src/core/errors.ts";
import { EventBus } from "../../src/core/events.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { FakeKinesis } from "../../src/testing/fake-kinesis.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";

const id = (n: number) => `shardId-${String(n).padStart(12, "0")}`;

async function setup(streams: string[]) {
  const clock = new FakeClock(0, 1_690_000_000_500);
  const kinesis = new FakeKinesis({ clock });
  kinesis.createStream("orders", 2);
  await clock.advance(100_000);
  kinesis.createStream("payments", 1);
  const store = new MemoryLeaseStore();
  const events = new EventBus("w1", () => clock.now());
  const config = resolveConfig({ app: "app", streams, initialPosition: "TRIM_HORIZON" });
  const sync = defaultShardSync(kinesis, store, { config, events, clock });
  return { clock, kinesis, store, sync, events };
}

describe("multi-stream shard sync", () => {
  test("two streams: one lease per shard of each, Java multi-stream keys and attributes; idempotent", async () => {
    const w = await setup(["orders", "payments"]);
    const synced: string[][] = [];
    w.events.on("shard-sync", (e) => synced.push(e.leasesCreated));
    await w.sync.syncShards();
    // shard-sync events name the created leases by their table keys.
    expect(synced).toEqual([
      [`123456789012:orders:1690000000:${id(0)}`, `123456789012:orders:1690000000:${id(1)}`],
      [`123456789012:payments:1690000100:${id(0)}`],
    ]);
    await w.sync.syncShards();
    const rows = w.store
      .snapshot()
      .map((l) => [l.leaseKey, l.streamName, l.shardId, l.checkpoint.sequenceNumber]);
    const orders = rows.filter((r) => String(r[0]).includes(":orders:"));
    const payments = rows.filter((r) => String(r[0]).includes(":payments:"));
    expect(rows.length).toBe(3);
    const ordersId = String(orders[0]![1]);
    const paymentsId = String(payments[0]![1]);
    // Creation epochs in whole seconds, each stream's own.
    expect(ordersId).toBe("123456789012:orders:1690000000");
    expect(paymentsId).toBe("123456789012:payments:1690000100");
    expect(orders).toEqual([0, 1].map((n) => [`${ordersId}:${id(n)}`, ordersId, id(n), "TRIM_HORIZON"]));
    expect(payments).toEqual([[`${paymentsId}:${id(0)}`, paymentsId, id(0), "TRIM_HORIZON"]]);
  });

  test("a split in one stream: children found and created in that stream only, parents as bare shard ids", async () => {
    const w = await setup(["orders", "payments"]);
    await w.sync.syncShards();
    const parentKey = w.store.snapshot().find((l) => l.leaseKey.includes(":payments:"))!.leaseKey;
    const [left, right] = w.kinesis.splitShard("payments", id(0));
    const children = await w.sync.discoverChildShards(parentKey);
    expect(children.map((c) => c.shardId).sort()).toEqual([left, right].sort());
    expect(await w.sync.createChildLeases(parentKey, children)).toEqual(children.map((c) => c.shardId));
    const prefix = parentKey.slice(0, parentKey.lastIndexOf(":"));
    const created = w.store.snapshot().filter((l) => l.parentShardIds.includes(id(0)));
    expect(created.map((l) => l.leaseKey).sort()).toEqual([`${prefix}:${left}`, `${prefix}:${right}`].sort());
    expect(created.every((l) => l.streamName === prefix && l.leaseKey === `${prefix}:${l.shardId}`)).toBe(
      true,
    );
    // orders has a shardId-000000000000 too: untouched, no children.
    const orders0 = w.store.peek(`123456789012:orders:1690000000:${id(0)}`);
    expect(orders0?.childShardIds).toEqual([]);
    expect(w.store.snapshot().length).toBe(5);
  });

  test("a merge in one stream whose co-parent has no lease: the co-parent is created first, in that stream", async () => {
    const clock = new FakeClock(0, 1_690_000_000_500);
    const kinesis = new FakeKinesis({ clock });
    kinesis.createStream("orders", 1);
    kinesis.createStream("payments", 2);
    const store = new MemoryLeaseStore();
    const config = resolveConfig({
      app: "app",
      streams: ["orders", "payments"],
      initialPosition: "TRIM_HORIZON",
    });
    const sync = defaultShardSync(kinesis, store, {
      config,
      events: new EventBus("w1", () => clock.now()),
      clock,
    });
    await sync.syncShards();
    const prefix = "123456789012:payments:1690000000";
    await store.deleteLease(`${prefix}:${id(1)}`); // the co-parent's lease is gone (never created, say)
    const child = kinesis.mergeShards("payments", id(0), id(1));
    const children = await sync.discoverChildShards(`${prefix}:${id(0)}`);
    expect(children.map((c) => c.shardId)).toEqual([child]);
    expect(await sync.createChildLeases(`${prefix}:${id(0)}`, children)).toEqual([child]);
    const keys = store.snapshot().map((l) => l.leaseKey);
    expect(keys).toContain(`${prefix}:${id(1)}`);
    expect(keys).toContain(`${prefix}:${child}`);
    expect(store.peek(`${prefix}:${child}`)?.parentShardIds.sort()).toEqual([id(0), id(1)]);
    expect(keys.filter((k) => k.includes(":orders:"))).toEqual([`123456789012:orders:1690000000:${id(0)}`]);
  });

  test("lease cleanup judges children and parents by their keys in the parent's stream", () => {
    const a = "123456789012:orders:1690000000";
    const b = "123456789012:payments:1690000100";
    const lease = (key: string, checkpoint: string, over = {}) => ({
      leaseKey: key,
      leaseCounter: 1,
      checkpoint: { sequenceNumber: checkpoint, subSequenceNumber: 0 },
      ownerSwitchesSinceCheckpoint: 0,
      parentShardIds: [] as string[],
      childShardIds: [] as string[],
      ...over,
    });
    const leases = [
      lease(`${a}:${id(0)}`, "SHARD_END", { childShardIds: [id(2), id(3)] }),
      lease(`${a}:${id(2)}`, "10", { parentShardIds: [id(0)] }),
      lease(`${a}:${id(3)}`, "11", { parentShardIds: [id(0)] }),
      // Same shard ids in another stream: the children there have not started, so that parent stays.
      lease(`${b}:${id(0)}`, "SHARD_END", { childShardIds: [id(2), id(3)] }),
      lease(`${b}:${id(2)}`, "TRIM_HORIZON", { parentShardIds: [id(0)] }),
      lease(`${b}:${id(3)}`, "TRIM_HORIZON", { parentShardIds: [id(0)] }),
    ];
    expect(finishedLeasesToDelete(leases, "me", ["me"])).toEqual([`${a}:${id(0)}`]);
  });

  test("one stream keeps plain shard-id keys and writes no stream attributes", async () => {
    const w = await setup(["orders"]);
    await w.sync.syncShards();
    expect(w.store.snapshot().map((l) => [l.leaseKey, l.streamName, l.shardId])).toEqual([
      [id(0), undefined, undefined],
      [id(1), undefined, undefined],
    ]);
  });
});

describe("multi-stream mode on a single-stream table", () => {
  test("the first sync refuses (ConfigurationError naming the table and a plain lease key), creating nothing", async () => {
    const w = await setup(["orders", "payments"]);
    w.store.put({
      leaseKey: id(0),
      leaseCounter: 3,
      checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
      ownerSwitchesSinceCheckpoint: 0,
      parentShardIds: [],
      childShardIds: [],
    });
    const error = await w.sync.syncShards().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String((error as Error).message)).toContain(`holds 1 single-stream lease(s) (e.g. ${id(0)})`);
    expect(w.store.snapshot().map((l) => l.leaseKey)).toEqual([id(0)]);
  });
});

describe("single-stream mode on a multi-stream table", () => {
  test("the first sync refuses (ConfigurationError naming a multi-stream lease), creating nothing", async () => {
    const multi = await setup(["orders", "payments"]);
    await multi.sync.syncShards();
    const single = defaultShardSync(multi.kinesis, multi.store, {
      config: resolveConfig({ app: "app", stream: "orders" }),
      events: new EventBus("w2", () => multi.clock.now()),
      clock: multi.clock,
    });
    const before = multi.store.snapshot().map((l) => l.leaseKey);
    const error = await single.syncShards().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String((error as Error).message)).toContain("holds 3 multi-stream lease(s)");
    expect(multi.store.snapshot().map((l) => l.leaseKey)).toEqual(before);
  });
});
