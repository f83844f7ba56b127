// The LeaseStore contract: one suite, run against the memory store and against DynamoDB (dynalite).
import { describe, expect, test } from "bun:test";
import { DependencyError } from "../../src/core/errors.ts";
import type { Lease } from "../../src/leases/lease.ts";
import type { LeaseStore, Outcome } from "../../src/leases/store.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { handoffContract } from "./store-contract-handoff.ts";

/** Makes a store over a fresh table that does not exist yet. */
export type StoreFactory = () => Promise<LeaseStore>;

function value<T>(o: Outcome<T>): T {
  if (!o.ok) throw new Error(`expected ok, got ${o.reason}`);
  return o.value;
}

async function ready(make: StoreFactory): Promise<LeaseStore> {
  const store = await make();
  await store.ensureTable();
  return store;
}

async function owned(store: LeaseStore, key: string, owner: string, extra: Partial<Lease> = {}) {
  value(await store.createLeaseIfNotExists(newLease(key, extra)));
  return value(await store.takeLease((await store.getLease(key))!, owner));
}

export function leaseStoreContract(name: string, make: StoreFactory, timeout = 20_000): void {
  describe(`LeaseStore contract: ${name}`, () => {
    test(
      "table: missing until ensureTable; ensureTable is idempotent and tolerates a concurrent creator",
      async () => {
        const store = await make();
        const err = await store.assertTableExists().catch((e) => e);
        expect(err).toBeInstanceOf(DependencyError);
        expect(err.code).toBe("KCL_DEPENDENCY_MISSING");
        await Promise.all([store.ensureTable(), store.ensureTable()]);
        await store.ensureTable();
        await store.assertTableExists();
        expect(await store.listLeases()).toEqual([]);
      },
      timeout,
    );

    test(
      "create-if-absent: a second create reports exists with the current row; get and list return it",
      async () => {
        const store = await ready(make);
        const lease = newLease("shardId-000000000001", {
          parentShardIds: ["shardId-000000000000", "shardId-000000000009"],
          hashKeyRange: { startingHashKey: "0", endingHashKey: "170141183460469231731687303715884105727" },
          checkpoint: { sequenceNumber: "LATEST", subSequenceNumber: 0 },
        });
        const created = value(await store.createLeaseIfNotExists(lease));
        expect(created).toEqual(lease);
        const again = await store.createLeaseIfNotExists({ ...lease, leaseCounter: 7 });
        expect(again.ok).toBe(false);
        if (!again.ok) {
          expect(again.reason).toBe("exists");
          expect(again.current?.leaseCounter).toBe(0);
        }
        expect(await store.getLease(lease.leaseKey)).toEqual(lease);
        expect(await store.getLease("shardId-nope")).toBeUndefined();
        await store.createLeaseIfNotExists(newLease("shardId-000000000000"));
        expect((await store.listLeases()).map((l) => l.leaseKey).sort()).toEqual([
          "shardId-000000000000",
          "shardId-000000000001",
        ]);
      },
      timeout,
    );

    test(
      "take: counter+1, owner set, owner switch counted, checkpointOwner removed; stale counter loses",
      async () => {
        const store = await ready(make);
        value(await store.createLeaseIfNotExists(newLease("s1", { checkpointOwner: "old-owner" })));
        const before = (await store.getLease("s1"))!;
        const taken = value(await store.takeLease(before, "w1"));
        expect(taken.leaseOwner).toBe("w1");
        expect(taken.leaseCounter).toBe(1);
        expect(taken.ownerSwitchesSinceCheckpoint).toBe(1);
        expect(taken.checkpointOwner).toBeUndefined();
        const stale = await store.takeLease(before, "w2");
        expect(stale).toMatchObject({ ok: false, reason: "counter-mismatch", current: { leaseOwner: "w1" } });
        const stolen = value(await store.takeLease(taken, "w2"));
        expect(stolen).toMatchObject({ leaseOwner: "w2", leaseCounter: 2, ownerSwitchesSinceCheckpoint: 2 });
        const retake = value(await store.takeLease(stolen, "w2"));
        expect(retake.ownerSwitchesSinceCheckpoint).toBe(2); // same owner: not a switch
        const missing = await store.takeLease(newLease("s-missing"), "w1");
        expect(missing).toMatchObject({ ok: false, reason: "missing" });
      },
      timeout,
    );

    test(
      "renew: fenced on counter and owner; each failure says why",
      async () => {
        const store = await ready(make);
        const lease = await owned(store, "s1", "w1");
        const renewed = value(await store.renewLease(lease));
        expect(renewed.leaseCounter).toBe(lease.leaseCounter + 1);
        expect(renewed.leaseOwner).toBe("w1");
        expect(await store.renewLease(lease)).toMatchObject({
          ok: false,
          reason: "counter-mismatch",
          current: { leaseCounter: renewed.leaseCounter },
        });
        expect(await store.renewLease({ ...renewed, leaseOwner: "w2" })).toMatchObject({
          ok: false,
          reason: "owner-mismatch",
        });
        expect(await store.renewLease({ ...renewed, leaseKey: "s-missing" })).toMatchObject({
          ok: false,
          reason: "missing",
        });
      },
      timeout,
    );

    test(
      "release: owner removed (absent, never empty), counter+1; the old owner can no longer renew",
      async () => {
        const store = await ready(make);
        const lease = await owned(store, "s1", "w1");
        expect(await store.releaseLease({ ...lease, leaseOwner: "w2" })).toMatchObject({
          ok: false,
          reason: "owner-mismatch",
        });
        const released = value(await store.releaseLease(lease));
        expect(released.leaseOwner).toBeUndefined();
        expect("leaseOwner" in released).toBe(false);
        expect(released.leaseCounter).toBe(lease.leaseCounter + 1);
        const row = (await store.getLease("s1"))!;
        expect("leaseOwner" in row).toBe(false);
        expect(await store.renewLease(lease)).toMatchObject({ ok: false });
        expect(value(await store.takeLease(row, "w2")).leaseOwner).toBe("w2");
      },
      timeout,
    );

    test(
      "checkpoint: fenced, counter+1, resets owner switches; pending checkpoint set / removed / kept",
      async () => {
        const store = await ready(make);
        const lease = await owned(store, "s1", "w1");
        const a = value(
          await store.updateCheckpoint(lease, {
            checkpoint: {
              sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
              subSequenceNumber: 3,
            },
            pendingCheckpoint: {
              sequenceNumber: "49590338271490256608559692538361571095921575989136588999",
              subSequenceNumber: 0,
            },
          }),
        );
        expect(a.leaseCounter).toBe(lease.leaseCounter + 1);
        expect(a.ownerSwitchesSinceCheckpoint).toBe(0);
        expect(a.checkpoint).toEqual({
          sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
          subSequenceNumber: 3,
        });
        expect(a.pendingCheckpoint?.sequenceNumber).toBe(
          "49590338271490256608559692538361571095921575989136588999",
        );
        const b = value(
          await store.updateCheckpoint(a, { checkpoint: { sequenceNumber: "5", subSequenceNumber: 0 } }),
        );
        expect(b.pendingCheckpoint).toBeDefined();
        const c = value(
          await store.updateCheckpoint(b, {
            checkpoint: { sequenceNumber: "SHARD_END", subSequenceNumber: 0 },
            pendingCheckpoint: null,
          }),
        );
        expect(c.pendingCheckpoint).toBeUndefined();
        expect(c.checkpoint.sequenceNumber).toBe("SHARD_END");
        expect(
          await store.updateCheckpoint(a, { checkpoint: { sequenceNumber: "9", subSequenceNumber: 0 } }),
        ).toMatchObject({ ok: false, reason: "counter-mismatch" });
        expect(
          await store.updateCheckpoint(
            { ...c, leaseOwner: "w9" },
            { checkpoint: { sequenceNumber: "9", subSequenceNumber: 0 } },
          ),
        ).toMatchObject({ ok: false, reason: "owner-mismatch" });
        expect((await store.getLease("s1"))!.checkpoint.sequenceNumber).toBe("SHARD_END");
      },
      timeout,
    );

    test(
      "child shard ids: set union, not fenced, counter untouched; missing lease reported",
      async () => {
        const store = await ready(make);
        const lease = await owned(store, "s1", "w1");
        value(await store.addChildShardIds("s1", ["shardId-000000000003"]));
        const after = value(
          await store.addChildShardIds("s1", ["shardId-000000000004", "shardId-000000000003"]),
        );
        expect(after.childShardIds).toEqual(["shardId-000000000003", "shardId-000000000004"]);
        expect(after.leaseCounter).toBe(lease.leaseCounter);
        expect(await store.addChildShardIds("s-missing", ["x"])).toMatchObject({
          ok: false,
          reason: "missing",
        });
      },
      timeout,
    );

    test(
      "delete: removes the row once; then missing",
      async () => {
        const store = await ready(make);
        await owned(store, "s1", "w1");
        expect(await store.deleteLease("s1")).toEqual({ ok: true, value: undefined });
        expect(await store.getLease("s1")).toBeUndefined();
        expect(await store.deleteLease("s1")).toMatchObject({ ok: false, reason: "missing" });
      },
      timeout,
    );

    test(
      "KCL 3.x fields round-trip: checkpointOwner, throughputKBps",
      async () => {
        const store = await ready(make);
        const lease = newLease("s1", {
          leaseOwner: "w1",
          checkpointOwner: "w0",
          throughputKBps: 12.5,
          leaseCounter: 4,
        });
        value(await store.createLeaseIfNotExists(lease));
        expect(await store.getLease("s1")).toEqual(lease);
        const renewed = value(await store.renewLease(lease));
        expect(renewed).toMatchObject({ checkpointOwner: "w0", throughputKBps: 12.5, leaseCounter: 5 });
      },
      timeout,
    );
    handoffContract(() => ready(make), timeout);
  });
}
