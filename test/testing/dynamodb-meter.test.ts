// The simulation's DynamoDB meter: known items and calls bill known capacity units.
import { describe, expect, test } from "bun:test";
import {
  DynamoDbMeter,
  itemSize,
  numberSize,
  readUnits,
  writeUnits,
} from "../../src/testing/dynamodb-meter.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";
import { leaseItemSize, MeteredLeaseStore } from "../../src/testing/metered-lease-store.ts";

describe("item size", () => {
  test("attribute names plus values: strings by UTF-8 bytes, numbers by significant digits", () => {
    expect(itemSize({ leaseKey: { S: "shardId-000000000000" } })).toBe(8 + 20);
    expect(itemSize({ k: { S: "é" } })).toBe(1 + 2);
    expect(numberSize("12345")).toBe(4);
    expect(numberSize("0")).toBe(2);
    expect(numberSize("1000")).toBe(2); // trailing zeros are trimmed
    expect(itemSize({ parentShardId: { SS: ["shardId-000000000001", "shardId-000000000002"] } })).toBe(
      13 + 40,
    );
    expect(itemSize({ m: { M: { a: { N: "1" } } } })).toBe(1 + 3 + 1 + 1 + 2);
  });

  test("a fresh lease row as kcl-ts writes it", () => {
    // leaseKey 28, leaseCounter 14, checkpoint 22, checkpointSubSequenceNumber 29,
    // ownerSwitchesSinceCheckpoint 30, entityType 15
    expect(leaseItemSize(newLease("shardId-000000000000"))).toBe(138);
    expect(leaseItemSize(newLease("shardId-000000000000", { leaseOwner: "w1" }))).toBe(138 + 10 + 2);
  });
});

describe("capacity units", () => {
  test("reads: per started 4 KB, eventually consistent at half price, never below one unit", () => {
    expect(readUnits(0, false)).toBe(0.5);
    expect(readUnits(4096, false)).toBe(0.5);
    expect(readUnits(4097, false)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
  });

  test("writes: per started 1 KB, never below one unit", () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
  });

  test("a Scan is one request per 1 MB page, each page rounded up to 4 KB", () => {
    const meter = new DynamoDbMeter();
    // 300 items of 4000 B: page 1 holds 262 items (1,048,000 B → 256 units), page 2 the other 38 (152,000 B → 38).
    meter.scan("Scan", Array(300).fill(4000), false);
    expect(meter.byOperation.Scan).toEqual({ calls: 2, readUnits: (256 + 38) / 2, writeUnits: 0 });
    meter.scan("Scan", [], false);
    expect(meter.byOperation.Scan?.calls).toBe(3);
    expect(meter.total().readUnits).toBe(147.5);
  });
});

describe("MeteredLeaseStore", () => {
  async function fixture(ownerIndex = false) {
    const table = new MemoryLeaseStore();
    table.put(newLease("shardId-000000000000"));
    table.put(newLease("shardId-000000000001"));
    const meter = new DynamoDbMeter();
    return { table, meter, store: new MeteredLeaseStore(table, meter, { ownerIndex }) };
  }

  test("a scan, a consistent GetItem and conditional writes, applied or not, are billed", async () => {
    const { store, meter } = await fixture();
    const [lease] = await store.listLeases();
    expect(meter.byOperation.Scan).toEqual({ calls: 1, readUnits: 0.5, writeUnits: 0 });
    await store.getLease("shardId-000000000000");
    expect(meter.byOperation.GetItem).toEqual({ calls: 1, readUnits: 1, writeUnits: 0 });
    const taken = await store.takeLease(lease!, "w1");
    expect(taken.ok).toBe(true);
    // The same (stale) copy again: the condition fails, and DynamoDB still bills the write.
    expect((await store.takeLease(lease!, "w2")).ok).toBe(false);
    expect(meter.byOperation["UpdateItem:take"]).toEqual({ calls: 2, readUnits: 0, writeUnits: 2 });
    if (taken.ok) await store.renewLease(taken.value);
    expect(meter.total()).toEqual({ calls: 5, readUnits: 1.5, writeUnits: 3 });
  });

  test("the owner index is written when the owner changes, not on renewals", async () => {
    const { store, meter } = await fixture(true);
    const [lease] = await store.listLeases();
    const taken = await store.takeLease(lease!, "w1"); // no owner → w1: one index put
    if (!taken.ok) throw new Error("take failed");
    const renewed = await store.renewLease(taken.value);
    if (!renewed.ok) throw new Error("renew failed");
    expect(meter.byOperation["GSI:leaseOwner"]?.writeUnits).toBe(1);
    await store.takeLease(renewed.value, "w2"); // w1 → w2: index delete + put
    expect(meter.byOperation["GSI:leaseOwner"]?.writeUnits).toBe(3);
  });

  test("assigner mode: the full-table scan includes worker and leader rows; owner-index queries bill KEYS_ONLY entries", async () => {
    const { store, meter, table } = await fixture(true);
    table.ownerIndex = true;
    await store.writeWorkerRow({ workerId: "w1", lut: 1_767_225_600 });
    expect(meter.byOperation["UpdateItem:workerRow"]).toEqual({ calls: 1, readUnits: 0, writeUnits: 1 });
    await store.writeLeader(undefined, {
      ownerName: "w1",
      leaseDuration: 10_000,
      recordVersionNumber: "abc",
    });
    expect(meter.byOperation["UpdateItem:leader"]).toEqual({ calls: 1, readUnits: 0, writeUnits: 1 });
    expect(await store.getLeader()).toBeDefined();
    expect(meter.byOperation["GetItem:leader"]).toEqual({ calls: 1, readUnits: 1, writeUnits: 0 });
    const snap = await store.scanTable();
    expect(snap.workers).toHaveLength(1);
    // Two leases, one worker row, one leader row: well under 4 KB, one eventually consistent unit.
    expect(meter.byOperation.Scan).toEqual({ calls: 1, readUnits: 0.5, writeUnits: 0 });
    // An empty index query still costs its minimum; entries are tiny (owner + key).
    expect(await store.queryOwnerKeys("w1")).toEqual([]);
    expect(meter.byOperation["Query:ownerIndex"]).toEqual({ calls: 1, readUnits: 0.5, writeUnits: 0 });
    const taken = await store.takeLease(snap.leases[0]!, "w1");
    if (!taken.ok) throw new Error("take failed");
    expect(await store.queryOwnerKeys("w1")).toEqual(["shardId-000000000000"]);
    expect(meter.byOperation["Query:ownerIndex"]).toEqual({ calls: 2, readUnits: 1, writeUnits: 0 });
    expect(await store.notifyAssigned("shardId-000000000000", "w1", ["shardId-000000000001"])).toBe(true);
    expect(meter.byOperation["UpdateItem:notice"]).toEqual({ calls: 1, readUnits: 0, writeUnits: 1 });
  });
});
