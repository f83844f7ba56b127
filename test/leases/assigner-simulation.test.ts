// Deterministic multi-worker simulations in assigner mode (--lease-assignment assigner): one elected
// assigner, failover, join/leave balance, killing the assigner itself; every invariant of the lease
// simulation checked after every 100 ms step (src/testing/lease-sim-invariants.ts).
import { describe, expect, test } from "bun:test";
import { LeaseSim } from "../../src/testing/lease-sim.ts";

const SEEDS = [1, 2, 3, 4];
const FAILOVER = 10_000;
/** The targets: takeover within failover + 5 s, balance within 60 s. */
const TAKEOVER_LIMIT = FAILOVER + 5000;
const BALANCE_LIMIT = 60_000;

function assignerSim(seed: number, leases: number): LeaseSim {
  return new LeaseSim({
    seed,
    leases,
    options: { leaseAssignment: "assigner", failoverMs: FAILOVER },
    // An unowned lease waits for the assigner's next scan (and the first leader's election), not for
    // this worker's own taker round.
    unownedMs: 3 * 2000,
  });
}

async function fleet(sim: LeaseSim, ids: string[], stagger = 700): Promise<void> {
  for (const id of ids) {
    sim.addWorker(id);
    await sim.runFor(stagger);
  }
}

/** The store shows `want`, no handoff is in flight, and every live worker holds what it owns. */
const balanced = (sim: LeaseSim, want: number[]) => () => {
  if (sim.distribution().join() !== want.join()) return false;
  const rows = sim.store.snapshot();
  if (rows.some((l) => l.checkpointOwner !== undefined)) return false;
  return [...sim.workers.values()]
    .filter((w) => w.state === "running")
    .every((w) => {
      const held = w.coordinator.heldLeases().map((l) => l.leaseKey);
      const owned = rows.filter((l) => l.leaseOwner === w.id).map((l) => l.leaseKey);
      return held.sort().join() === owned.join();
    });
};

const assigners = (sim: LeaseSim) =>
  [...sim.workers.values()]
    .filter((w) => w.state === "running" && w.coordinator.isAssigner?.())
    .map((w) => w.id);

const leader = (sim: LeaseSim) => sim.store.peekCoordination().leader?.ownerName;

describe("assigner mode: lease simulations", () => {
  for (const seed of SEEDS) {
    test(`seed ${seed}: one assigner; 8 leases / 3 workers → 3/3/2 and no churn after`, async () => {
      const sim = assignerSim(seed, 8);
      await fleet(sim, ["w1", "w2", "w3"]);
      await sim.runUntil("3/3/2", balanced(sim, [3, 3, 2]), BALANCE_LIMIT);
      expect(assigners(sim)).toEqual([leader(sim)!]);
      const moves = sim.events("lease-acquired").length;
      await sim.runFor(30_000);
      expect(sim.distribution()).toEqual([3, 3, 2]);
      expect(sim.events("lease-acquired").length).toBe(moves);
      expect(sim.events("lease-lost")).toEqual([]);
      // Only the assigner scans the table.
      const scanners = new Set(sim.events("lease-table-scanned").map((e) => e.workerId));
      expect([...scanners]).toEqual([leader(sim)!]);
    });

    test(`seed ${seed}: a worker crashes → its leases move within failover + 5 s, then 4/4`, async () => {
      const sim = assignerSim(seed, 8);
      await fleet(sim, ["w1", "w2", "w3"]);
      await sim.runUntil("3/3/2", balanced(sim, [3, 3, 2]), BALANCE_LIMIT);
      const victim = ["w1", "w2", "w3"].find((w) => w !== leader(sim))!;
      const orphans = sim.store
        .snapshot()
        .filter((l) => l.leaseOwner === victim)
        .map((l) => l.leaseKey);
      await sim.crash(victim);
      await sim.runUntil(
        "the crashed worker's leases taken",
        () => sim.store.snapshot().every((l) => !orphans.includes(l.leaseKey) || l.leaseOwner !== victim),
        TAKEOVER_LIMIT,
      );
      await sim.runUntil("4/4", balanced(sim, [4, 4]), BALANCE_LIMIT);
    });

    test(`seed ${seed}: the assigner itself crashes → the role and its leases move within failover + 5 s`, async () => {
      const sim = assignerSim(seed, 9);
      await fleet(sim, ["w1", "w2", "w3"]);
      await sim.runUntil("3/3/3", balanced(sim, [3, 3, 3]), BALANCE_LIMIT);
      const old = leader(sim)!;
      const orphans = sim.store
        .snapshot()
        .filter((l) => l.leaseOwner === old)
        .map((l) => l.leaseKey);
      await sim.crash(old);
      await sim.runUntil(
        "a new assigner and the old assigner's leases taken",
        () =>
          leader(sim) !== old &&
          assigners(sim).length === 1 &&
          sim.store.snapshot().every((l) => !orphans.includes(l.leaseKey) || l.leaseOwner !== old),
        TAKEOVER_LIMIT,
      );
      await sim.runUntil("5/4 or 4/5", () => sim.distribution().join() === "5,4", BALANCE_LIMIT);
    });

    test(`seed ${seed}: two workers join a fleet of one → 4/4/4 within 60 s, by graceful handoffs`, async () => {
      const sim = assignerSim(seed, 12);
      sim.addWorker("w1");
      await sim.runUntil("12", balanced(sim, [12]), BALANCE_LIMIT);
      sim.addWorker("w2");
      sim.addWorker("w3");
      await sim.runUntil("4/4/4", balanced(sim, [4, 4, 4]), BALANCE_LIMIT);
      expect(sim.events("lease-handoff-requested").length).toBeGreaterThanOrEqual(8);
      expect(sim.events("lease-lost")).toEqual([]);
    });

    test(`seed ${seed}: a worker leaves gracefully → its released leases are reassigned`, async () => {
      const sim = assignerSim(seed, 6);
      await fleet(sim, ["w1", "w2", "w3"]);
      await sim.runUntil("2/2/2", balanced(sim, [2, 2, 2]), BALANCE_LIMIT);
      // The assigner leaves: it releases its leases and the leader row, so no one waits for expiry.
      const gone = leader(sim)!;
      await sim.leave(gone);
      await sim.runUntil("3/3 without the leaver", balanced(sim, [3, 3]), 3 * 2000 + 2 * 3308);
      expect(leader(sim)).not.toBe(gone);
    });
  }

  test("a seed replays exactly", async () => {
    const run = async (seed: number) => {
      const sim = assignerSim(seed, 8);
      await fleet(sim, ["w1", "w2", "w3"]);
      await sim.runFor(20_000);
      await sim.crash("w2");
      await sim.runFor(20_000);
      return sim.trace.join("\n");
    };
    expect(await run(7)).toBe(await run(7));
  });
});
