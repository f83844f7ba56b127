// The assigner gives a dead worker's leases to the workers that learn of them fastest (the assigner
// itself, or holders whose next renewal reads the notice within a second), not to the least-loaded of
// all: takeover then does not wait a whole renew interval for the notice.
import { describe, expect, test } from "bun:test";
import { Assigner } from "../../src/leases/assignment/assigner.ts";
import { ExpiryObserver } from "../../src/leases/expiry-observer.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";

const FAILOVER = 10_000;

async function setup(fastLearners?: () => ReadonlySet<string> | undefined) {
  const store = new MemoryLeaseStore();
  store.ownerIndex = true;
  const clock = new FakeClock();
  const owners = ["A", "A", "B", "C", "X"]; // A is the assigner; X will die
  for (const [i, owner] of owners.entries())
    store.put(newLease(`s-${i}`, { leaseOwner: owner, leaseCounter: 1 }));
  const assigner = new Assigner({
    store,
    workerId: "A",
    clock,
    observer: new ExpiryObserver(FAILOVER),
    renewIntervalMs: 3308,
    maxLeasesForWorker: Number.POSITIVE_INFINITY,
    workerStaleMs: 60_000,
    handoffTimeoutMs: 40_000,
    intervalMs: 2000,
    heldKeys: () => new Set(["s-0", "s-1"]),
    taking: () => true,
    acquiredSelf: () => {},
    handoffToSelf: () => {},
    ...(fastLearners ? { fastLearners } : {}),
    emit: () => {},
  });
  const renew = (keys: string[]) => {
    for (const k of keys) {
      const l = store.peek(k)!;
      store.put({ ...l, leaseCounter: l.leaseCounter + 1 });
    }
  };
  return { store, clock, assigner, renew };
}

/** Two rounds: X stops renewing; A, B and C renew (so B and C can read notices). */
async function takeover(fastLearners?: () => ReadonlySet<string> | undefined) {
  const { store, clock, assigner, renew } = await setup(fastLearners);
  await assigner.round();
  for (let t = 0; t < 4; t++) {
    await clock.advance(3000);
    renew(["s-0", "s-1", "s-2", "s-3"]);
    await assigner.round();
  }
  return store.peek("s-4")!.leaseOwner;
}

describe("assigner: fast learners", () => {
  test("without learned phases, the dead worker's lease goes to the least-loaded reachable worker", async () => {
    expect(await takeover()).toBe("B"); // B and C hold one each; B sorts first
  });

  test("with phases, it goes to a worker that reads the notice within a second (C), not the first least-loaded", async () => {
    expect(await takeover(() => new Set(["C"]))).toBe("C");
  });

  test("with phases and no fast holder, the assigner takes it itself (it learns at once)", async () => {
    expect(await takeover(() => new Set())).toBe("A");
  });
});
