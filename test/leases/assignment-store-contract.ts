// The AssignmentStore contract (assigner mode): owner GSI queries, the leader lock row, worker rows and
// assignment notices. Run against dynalite and the memory store (both implement the port).
import { describe, expect, test } from "bun:test";
import type { AssigningLeaseStore } from "../../src/leases/assignment-store.ts";
import { newLease } from "../../src/testing/lease-sim.ts";

export function assignmentStoreContract(name: string, make: () => Promise<AssigningLeaseStore>): void {
  async function fresh(): Promise<AssigningLeaseStore> {
    const store = await make();
    await store.ensureOwnerIndex(); // creates the table with the index (dynalite cannot add one later)
    return store;
  }

  async function owned(store: AssigningLeaseStore, key: string, owner: string) {
    await store.createLeaseIfNotExists(newLease(key));
    const taken = await store.takeLease((await store.getLease(key))!, owner);
    if (!taken.ok) throw new Error(`take of ${key} failed`);
    return taken.value;
  }

  describe(`AssignmentStore contract: ${name}`, () => {
    test("the owner index answers each owner's keys, and follows takes, handoffs and releases", async () => {
      const store = await fresh();
      await store.ensureOwnerIndex(); // a second call finds the index and leaves it alone
      const a = await owned(store, "shardId-000000000001", "w1");
      await owned(store, "shardId-000000000002", "w1");
      await owned(store, "shardId-000000000003", "w2");
      expect(await store.queryOwnerKeys("w1")).toEqual(["shardId-000000000001", "shardId-000000000002"]);
      expect(await store.queryOwnerKeys("w2")).toEqual(["shardId-000000000003"]);
      expect(await store.queryOwnerKeys("nobody")).toEqual([]);
      const handoff = await store.initiateHandoff(a, "w2");
      expect(handoff.ok).toBe(true);
      expect(await store.queryOwnerKeys("w2")).toEqual(["shardId-000000000001", "shardId-000000000003"]);
      if (!handoff.ok) return;
      const released = await store.releaseLease({ ...handoff.value, checkpointOwner: undefined });
      expect(released.ok).toBe(false); // a handoff in progress is not released by a non-party
      await store.deleteLease("shardId-000000000003");
      expect(await store.queryOwnerKeys("w2")).toEqual(["shardId-000000000001"]);
    });

    test("leader row: created once, heartbeated and claimed only with the recordVersionNumber seen", async () => {
      const store = await fresh();
      expect(await store.getLeader()).toBeUndefined();
      const first = { ownerName: "w1", leaseDuration: 10_000, recordVersionNumber: "r1" };
      expect(await store.writeLeader(undefined, first)).toBe(true);
      expect(
        await store.writeLeader(undefined, { ...first, ownerName: "w2", recordVersionNumber: "x" }),
      ).toBe(false);
      expect(await store.getLeader()).toEqual(first);
      const beat = { ...first, recordVersionNumber: "r2" };
      expect(await store.writeLeader(first, beat)).toBe(true);
      // A contender that saw the old version loses to the heartbeat.
      expect(await store.writeLeader(first, { ...first, ownerName: "w2", recordVersionNumber: "c" })).toBe(
        false,
      );
      const claim = { ownerName: "w2", leaseDuration: 10_000, recordVersionNumber: "c2", standby: "w3" };
      expect(await store.writeLeader(beat, claim)).toBe(true);
      expect(await store.getLeader()).toEqual(claim);
      // A heartbeat without a standby removes the old one.
      const plain = { ownerName: "w2", leaseDuration: 10_000, recordVersionNumber: "c3" };
      expect(await store.writeLeader(claim, plain)).toBe(true);
      expect(await store.getLeader()).toEqual(plain);
      expect(await store.releaseLeader(beat)).toBe(false);
      expect(await store.releaseLeader(plain)).toBe(true);
      expect(await store.getLeader()).toBeUndefined();
    });

    test("one scan returns leases, worker rows and the leader row apart; listLeases still only leases", async () => {
      const store = await fresh();
      await owned(store, "shardId-000000000001", "w1");
      await store.writeWorkerRow({ workerId: "w1", lut: 1_700_000_000 });
      await store.writeWorkerRow({ workerId: "w2", lut: 1_700_000_001 });
      await store.writeWorkerRow({ workerId: "w2", lut: 1_700_000_005 });
      await store.writeLeader(undefined, {
        ownerName: "w1",
        leaseDuration: 10_000,
        recordVersionNumber: "r",
      });
      const snap = await store.scanTable();
      expect(snap.leases.map((l) => l.leaseKey)).toEqual(["shardId-000000000001"]);
      expect([...snap.workers].sort((a, b) => a.workerId.localeCompare(b.workerId))).toEqual([
        { workerId: "w1", lut: 1_700_000_000 },
        { workerId: "w2", lut: 1_700_000_005 },
      ]);
      expect(snap.leader?.ownerName).toBe("w1");
      expect((await store.listLeases()).map((l) => l.leaseKey)).toEqual(["shardId-000000000001"]);
    });

    test("a worker row never overwrites a lease whose key is the worker id", async () => {
      const store = await fresh();
      await store.createLeaseIfNotExists(newLease("w9"));
      await store.writeWorkerRow({ workerId: "w9", lut: 5 }).catch(() => undefined);
      expect((await store.getLease("w9"))?.leaseKey).toBe("w9");
    });

    test("assignment notices: added to a held lease without a counter change, read back and deleted by renewal", async () => {
      const store = await fresh();
      const held = await owned(store, "shardId-000000000001", "w1");
      expect(await store.notifyAssigned("shardId-000000000001", "w2", ["shardId-000000000009"])).toBe(false);
      expect(await store.notifyAssigned("shardId-000000000001", "w1", ["shardId-000000000007"])).toBe(true);
      expect(await store.notifyAssigned("shardId-000000000001", "w1", ["shardId-000000000008"])).toBe(true);
      const renewed = await store.renewLease(held); // the notices do not fence the owner's renewal
      expect(renewed.ok).toBe(true);
      if (!renewed.ok) return;
      expect(renewed.value.assignedLeases).toEqual(["shardId-000000000007", "shardId-000000000008"]);
      await store.notifyAssigned("shardId-000000000001", "w1", ["shardId-000000000009"]);
      const next = await store.renewLease(renewed.value);
      expect(next.ok && next.value.assignedLeases).toEqual(["shardId-000000000009"]);
      if (!next.ok) return;
      const last = await store.renewLease(next.value);
      expect(last.ok && last.value.assignedLeases).toBeUndefined();
    });
  });
}
