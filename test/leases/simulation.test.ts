// Deterministic multi-worker simulations (memory store, one FakeClock and seeded Random per worker),
// with every invariant checked after every 100 ms step (see src/testing/lease-sim-invariants.ts).
import { describe, expect, test } from "bun:test";
import { FaultyLeaseStore } from "../../src/testing/faulty-lease-store.ts";
import { LeaseSim, type LeaseSimOptions } from "../../src/testing/lease-sim.ts";

const SEEDS = [1, 2, 3, 4, 5, 6];
const HOUR = 3_600_000;

/** Starts workers `stagger` ms apart so their taker rounds are out of phase (as on real hosts). */
async function fleet(sim: LeaseSim, ids: string[], stagger = 700): Promise<void> {
  for (const id of ids) {
    sim.addWorker(id);
    await sim.runFor(stagger);
  }
}

/** The store shows `want` and every live worker holds exactly the leases the store says it owns. */
const balanced = (sim: LeaseSim, want: number[]) => () => {
  if (sim.distribution().join() !== want.join()) return false;
  const rows = sim.store.snapshot();
  return [...sim.workers.values()]
    .filter((w) => w.state === "running")
    .every((w) => {
      const held = w.coordinator.heldLeases().map((l) => l.leaseKey);
      const owned = rows.filter((l) => l.leaseOwner === w.id).map((l) => l.leaseKey);
      return held.sort().join() === owned.join();
    });
};

describe("lease simulations", () => {
  for (const seed of SEEDS) {
    test(`seed ${seed}: 4 leases / 2 workers → 2/2; 8 leases / 3 workers → 3/3/2`, async () => {
      const a = new LeaseSim({ seed, leases: 4 });
      await fleet(a, ["w1", "w2"]);
      await a.runUntil("2/2", balanced(a, [2, 2]), 20_000);
      await a.runFor(30_000); // and it stays there: no churn
      expect(a.distribution()).toEqual([2, 2]);
      expect(a.events("lease-lost").filter((e) => e.type === "lease-lost" && e.reason !== "stolen")).toEqual(
        [],
      );

      const b = new LeaseSim({ seed, leases: 8 });
      await fleet(b, ["w1", "w2", "w3"]);
      await b.runUntil("3/3/2", balanced(b, [3, 3, 2]), 30_000);
      const moves = b.events("lease-acquired").length;
      await b.runFor(30_000);
      expect(b.distribution()).toEqual([3, 3, 2]);
      expect(b.events("lease-acquired").length).toBe(moves);
    });

    test(`seed ${seed}: a new worker joins a 1-worker fleet of 8 → 4/4 by stealing, one per round`, async () => {
      const sim = new LeaseSim({ seed, leases: 8 });
      sim.addWorker("w1");
      await sim.runFor(5_000);
      expect(sim.distribution()).toEqual([8]);
      const joinedAt = sim.elapsed;
      sim.addWorker("w2");
      const at = await sim.runUntil("4/4 in the table", () => sim.distribution().join() === "4,4", 30_000);
      // One steal per round (maxLeasesToSteal 1), the first at once: the fourth lands 3 rounds later.
      expect(at - joinedAt).toBeLessThanOrEqual(3 * sim.config.takerIntervalMs + sim.stepMs);
      await sim.runUntil("w1 noticed", balanced(sim, [4, 4]), sim.config.renewIntervalMs + sim.stepMs);
      expect(sim.events("lease-stolen")).toHaveLength(4);
      await sim.runFor(sim.config.renewIntervalMs + sim.stepMs);
      // Planned moves are graceful handoffs: w1 hands each lease over, it never loses one.
      expect(sim.events("lease-lost")).toEqual([]);
      expect(sim.events("lease-handed-off").map((e) => e.to)).toEqual(["w2", "w2", "w2", "w2"]);
      expect(sim.worker("w1").coordinator.heldLeases()).toHaveLength(4);
    });

    test(`seed ${seed}: a worker crashes → survivors own everything within failover + one taker round`, async () => {
      const sim = new LeaseSim({ seed, leases: 9 });
      await fleet(sim, ["w1", "w2", "w3"], 900);
      await sim.runUntil("3/3/3", balanced(sim, [3, 3, 3]), 30_000);
      await sim.runFor(1_000 + seed * 517); // crash at an arbitrary phase of the renew cycle
      const crashedAt = sim.elapsed;
      await sim.crash("w2");
      const survivorsOwnAll = () =>
        sim.store.snapshot().every((l) => l.leaseOwner === "w1" || l.leaseOwner === "w3");
      const at = await sim.runUntil("takeover", survivorsOwnAll, 60_000);
      const bound = sim.config.failoverMs + sim.config.takerIntervalMs + sim.stepMs;
      expect(at - crashedAt).toBeLessThanOrEqual(bound);
      expect(at - crashedAt).toBeGreaterThan(sim.config.failoverMs - sim.config.renewIntervalMs);
      await sim.runUntil("5/4", balanced(sim, [5, 4]), 10_000);
      const how = sim
        .events("lease-acquired")
        .filter((e) => e.type === "lease-acquired" && e.how === "expired");
      expect(how).toHaveLength(3);
      expect(sim.events("lease-expired-observed").length).toBeGreaterThanOrEqual(3);
    });

    test(`seed ${seed}: graceful leave → released leases are taken within one taker round`, async () => {
      const sim = new LeaseSim({ seed, leases: 9 });
      await fleet(sim, ["w1", "w2", "w3"], 900);
      await sim.runUntil("3/3/3", balanced(sim, [3, 3, 3]), 30_000);
      await sim.runFor(seed * 331);
      const before = sim.events().length;
      const leaving = sim.leave("w3");
      await sim.step();
      await leaving;
      const releasedAt = sim.elapsed;
      expect(sim.events("lease-released")).toHaveLength(3);
      const at = await sim.runUntil(
        "released leases taken",
        () => !sim.owners()["-"] && !sim.owners().w3,
        10_000,
      );
      expect(at - releasedAt).toBeLessThanOrEqual(sim.config.takerIntervalMs + sim.stepMs);
      await sim.runFor(sim.config.failoverMs * 2);
      const after = sim.events().slice(before);
      const hows = after.flatMap((e) => (e.type === "lease-acquired" ? [e.how] : []));
      expect(hows).toEqual(["released", "released", "released"]);
      expect(after.filter((e) => e.type === "lease-lost" || e.type === "lease-expired-observed")).toEqual([]);
      expect(sim.distribution()).toEqual([5, 4]);
    });
  }

  /** Join, then crash, then leave: a compact script that exercises every transition. */
  async function script(options: LeaseSimOptions): Promise<LeaseSim> {
    const sim = new LeaseSim(options);
    await fleet(sim, ["w1", "w2", "w3"], 1_300);
    await sim.runFor(20_000);
    sim.addWorker("w4");
    await sim.runFor(15_000);
    await sim.crash("w1");
    await sim.runFor(20_000);
    const leaving = sim.leave("w2");
    await sim.runFor(5_000);
    await leaving;
    return sim;
  }

  test("clocks skewed by hours (monotonic origins and wall clocks) make no difference", async () => {
    const plain = await script({ seed: 42, leases: 10 });
    const skewed = await script({
      seed: 42,
      leases: 10,
      clockFor: (i) => ({
        startMonotonic: [0, 7 * HOUR, 123 * HOUR + 17, 3 * HOUR][i] ?? 0,
        wallStart: Date.UTC(2026, 0, 1) + [0, -5 * HOUR, 11 * HOUR, -26 * HOUR][i]!,
      }),
    });
    expect(skewed.trace.length).toBeGreaterThan(100);
    expect(skewed.trace).toEqual(plain.trace);
    expect(skewed.owners()).toEqual(plain.owners());
  });

  test("a seed replays exactly; another seed takes another path", async () => {
    const a = await script({ seed: 7, leases: 10 });
    const b = await script({ seed: 7, leases: 10 });
    const c = await script({ seed: 8, leases: 10 });
    expect(b.trace).toEqual(a.trace);
    expect(c.trace).not.toEqual(a.trace);
  });

  for (const seed of [11, 12, 13]) {
    test(`seed ${seed}: 30% throttling (some after the write applied) never causes a false loss`, async () => {
      const stores: FaultyLeaseStore[] = [];
      const sim = new LeaseSim({
        seed,
        leases: 12,
        wrapStore: (inner, _id, random) => {
          const s = new FaultyLeaseStore(inner, { rate: 0.3, appliedRate: 0.3, random });
          stores.push(s);
          return s;
        },
        // Throttled scans skip taker rounds, so a lease may wait a few rounds; a throttled renew of a
        // stolen lease is retried (with backoff) before the conflict shows, within the lease budget.
        unownedMs: 6 * 2000,
        staleHoldMs: 10_000,
      });
      await fleet(sim, ["w1", "w2", "w3"], 1_100);
      await sim.runUntil("4/4/4", balanced(sim, [4, 4, 4]), 120_000);
      await sim.runFor(sim.config.failoverMs); // victims of the balancing steals notice them
      const settled = sim.events().length;
      await sim.runFor(180_000);
      const after = sim.events().slice(settled);
      expect(after.filter((e) => e.type === "lease-lost")).toEqual([]);
      expect(after.filter((e) => e.type === "lease-expired-observed")).toEqual([]);
      expect(after.filter((e) => e.type === "lease-acquired")).toEqual([]);
      expect(after.filter((e) => e.type === "throttled").length).toBeGreaterThan(100);
      // Every loss during convergence was a balancing steal, never a renewal given up on.
      const all = sim.events();
      const losses = all.filter((e) => e.type === "lease-lost");
      expect(losses.every((e) => e.type === "lease-lost" && e.reason === "stolen")).toBe(true);
      expect(losses.length).toBeLessThanOrEqual(sim.events("lease-stolen").length);
      expect(sim.distribution()).toEqual([4, 4, 4]);
      const injected = stores.reduce((n, s) => n + s.injected.before + s.injected.after, 0);
      expect(stores.reduce((n, s) => n + s.injected.after, 0)).toBeGreaterThan(20);
      expect(injected).toBeGreaterThan(300);
    });
  }
});

describe("the invariant checker can fail (with the seed in the message)", () => {
  test("a lease left unowned while a worker has room", async () => {
    const sim = new LeaseSim({ seed: 99, leases: 2 });
    const w = sim.addWorker("w1");
    await sim.runFor(1_000);
    w.coordinator.stopTaking(); // a taker that silently stopped: a bug the invariant must catch
    await w.coordinator.release("shardId-000000000000");
    const err = await sim.runFor(10_000).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("seed 99");
    expect((err as Error).message).toContain("unowned");
  });

  test("a worker that keeps holding a lease another worker took", async () => {
    const sim = new LeaseSim({
      seed: 98,
      leases: 1,
      // A store that always claims renewals succeeded: the victim never notices the steal.
      wrapStore: (inner) =>
        Object.assign(Object.create(inner), {
          renewLease: async (l: Parameters<typeof inner.renewLease>[0]) => ({ ok: true as const, value: l }),
        }),
    });
    sim.addWorker("w1");
    await sim.runFor(1_000);
    const lease = sim.store.peek("shardId-000000000000")!;
    await sim.store.takeLease(lease, "thief");
    const err = await sim.runFor(10_000).catch((e: Error) => e);
    expect((err as Error).message).toContain("seed 98");
    expect((err as Error).message).toContain("still holds");
  });
});
