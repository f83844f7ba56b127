// The LeaseStore contract for the KCL 3.x graceful handoff and the recorded LATEST start, run against
// every store by store-contract.ts: initiate (ownership-fenced, counter unchanged), renew and
// checkpoint by the old owner while checkpointOwner == it, transfer (counter+1), and the fencing of each.
import { expect, test } from "bun:test";
import type { Lease } from "../../src/leases/lease.ts";
import type { LeaseStore, Outcome } from "../../src/leases/store.ts";
import { newLease } from "../../src/testing/lease-sim.ts";

function value<T>(o: Outcome<T>): T {
  if (!o.ok) throw new Error(`expected ok, got ${o.reason}`);
  return o.value;
}

async function ownedBy(store: LeaseStore, key: string, owner: string): Promise<Lease> {
  value(await store.createLeaseIfNotExists(newLease(key)));
  return value(await store.takeLease((await store.getLease(key))!, owner));
}

export function handoffContract(ready: () => Promise<LeaseStore>, timeout: number): void {
  test(
    "initiate handoff: leaseOwner := next, checkpointOwner := current, counter unchanged; ownership-fenced",
    async () => {
      const store = await ready();
      const lease = await ownedBy(store, "s1", "A");
      const renewed = value(await store.renewLease(lease)); // a stale counter does not matter
      const handoff = value(await store.initiateHandoff(lease, "B"));
      expect(handoff).toMatchObject({
        leaseOwner: "B",
        checkpointOwner: "A",
        leaseCounter: renewed.leaseCounter,
      });
      expect(await store.getLease("s1")).toEqual(handoff);
      // Already in handoff: a second initiate fails, as does one naming the wrong current owner.
      expect(await store.initiateHandoff(handoff, "C")).toMatchObject({
        ok: false,
        reason: "owner-mismatch",
      });
      expect(await store.initiateHandoff(lease, "C")).toMatchObject({ ok: false, reason: "owner-mismatch" });
      expect(await store.initiateHandoff(newLease("s1"), "C")).toMatchObject({ ok: false });
      expect(await store.initiateHandoff({ ...lease, leaseKey: "s-missing" }, "C")).toMatchObject({
        ok: false,
      });
    },
    timeout,
  );

  test(
    "in handoff: the old owner's plain renewal fails with the handoff row; renew and checkpoint as the handoff work",
    async () => {
      const store = await ready();
      const lease = await ownedBy(store, "s1", "A");
      value(await store.initiateHandoff(lease, "B"));
      const refused = await store.renewLease(lease);
      expect(refused).toMatchObject({
        ok: false,
        reason: "owner-mismatch",
        current: { leaseOwner: "B", checkpointOwner: "A", leaseCounter: lease.leaseCounter },
      });
      const adopted = (refused as { current: Lease }).current;
      const renewed = value(await store.renewLease(adopted));
      expect(renewed).toMatchObject({
        leaseOwner: "B",
        checkpointOwner: "A",
        leaseCounter: adopted.leaseCounter + 1,
      });
      const checkpointed = value(
        await store.updateCheckpoint(renewed, { checkpoint: { sequenceNumber: "42", subSequenceNumber: 0 } }),
      );
      expect(checkpointed).toMatchObject({ checkpointOwner: "A", checkpoint: { sequenceNumber: "42" } });
      // The next owner cannot renew it as if it were plainly its own.
      expect(await store.renewLease({ ...checkpointed, checkpointOwner: undefined })).toMatchObject({
        ok: false,
        reason: "owner-mismatch",
      });
    },
    timeout,
  );

  test(
    "transfer: checkpointOwner removed, counter+1, owner switch counted; fenced on counter, owner and checkpointOwner",
    async () => {
      const store = await ready();
      const lease = await ownedBy(store, "s1", "A");
      const handoff = value(await store.initiateHandoff(lease, "B"));
      expect(await store.transferLease({ ...handoff, leaseCounter: handoff.leaseCounter - 1 })).toMatchObject(
        {
          ok: false,
          reason: "counter-mismatch",
        },
      );
      expect(await store.transferLease({ ...handoff, checkpointOwner: "Z" })).toMatchObject({
        ok: false,
        reason: "owner-mismatch",
      });
      const done = value(await store.transferLease(handoff));
      expect(done).toMatchObject({ leaseOwner: "B", leaseCounter: handoff.leaseCounter + 1 });
      expect(done.checkpointOwner).toBeUndefined();
      expect(done.ownerSwitchesSinceCheckpoint).toBe(handoff.ownerSwitchesSinceCheckpoint + 1);
      expect(await store.transferLease(handoff)).toMatchObject({ ok: false });
      // The old owner is fenced out; the new one renews it as its own.
      expect(await store.renewLease(handoff)).toMatchObject({ ok: false });
      expect(value(await store.renewLease(done)).leaseOwner).toBe("B");
    },
    timeout,
  );

  test(
    "a take (handoff timed out, old owner dead) clears checkpointOwner",
    async () => {
      const store = await ready();
      const lease = await ownedBy(store, "s1", "A");
      const handoff = value(await store.initiateHandoff(lease, "B"));
      const taken = value(await store.takeLease(handoff, "B"));
      expect(taken).toMatchObject({ leaseOwner: "B", leaseCounter: handoff.leaseCounter + 1 });
      expect(taken.checkpointOwner).toBeUndefined();
    },
    timeout,
  );

  test(
    "recorded start: fenced like a checkpoint, counter+1, checkpoint untouched, round-trips",
    async () => {
      const store = await ready();
      value(
        await store.createLeaseIfNotExists(
          newLease("s1", { checkpoint: { sequenceNumber: "LATEST", subSequenceNumber: 0 } }),
        ),
      );
      const lease = value(await store.takeLease((await store.getLease("s1"))!, "A"));
      const at = Date.UTC(2026, 10, 27, 10, 0, 0, 123);
      const recorded = value(await store.recordResolvedStart(lease, at));
      expect(recorded).toMatchObject({ resolvedStart: at, leaseCounter: lease.leaseCounter + 1 });
      expect(recorded.checkpoint.sequenceNumber).toBe("LATEST");
      expect((await store.getLease("s1"))!.resolvedStart).toBe(at);
      expect(await store.recordResolvedStart(lease, at + 1)).toMatchObject({
        ok: false,
        reason: "counter-mismatch",
      });
      expect(await store.recordResolvedStart({ ...recorded, leaseOwner: "Z" }, at)).toMatchObject({
        ok: false,
        reason: "owner-mismatch",
      });
    },
    timeout,
  );
}
