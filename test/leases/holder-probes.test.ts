// Holder liveness probes (assigner mode, --assigner-scan-ms above the assigner interval): one read of
// one live lease per holder; a holder is judged dead only when that lease kept its counter for the
// failover time on the assigner's clock, and a full scan in between does not restart that clock.
import { describe, expect, test } from "bun:test";
import { HolderProbes, PHASE_MARGIN_MS } from "../../src/leases/assignment/holder-probes.ts";
import { ExpiryObserver } from "../../src/leases/expiry-observer.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";

const FAILOVER = 10_000;
const PERIOD = 3308;

async function setup(everyRenewals = 1) {
  const store = new MemoryLeaseStore();
  const clock = new FakeClock();
  const observer = new ExpiryObserver(FAILOVER);
  for (const [i, owner] of ["A", "A", "B", "B", "me"].entries()) {
    store.put(newLease(`shardId-${i}`, { leaseOwner: owner, leaseCounter: 1 }));
  }
  const probes = new HolderProbes({
    store,
    clock,
    failoverMs: FAILOVER,
    workerId: "me",
    renewIntervalMs: PERIOD,
    everyRenewals,
  });
  const scan = () => {
    const leases = store.snapshot();
    observer.observe(leases, clock.monotonic());
    probes.reset(leases, new Set(), observer);
  };
  const renew = (key: string) => {
    const l = store.peek(key)!;
    store.put({ ...l, leaseCounter: l.leaseCounter + 1 });
  };
  return { store, clock, probes, scan, renew };
}

describe("holder probes", () => {
  test("one probe per other holder; a holder that keeps renewing is never judged dead", async () => {
    const { clock, probes, scan, renew } = await setup();
    scan();
    expect(probes.size).toBe(2); // A and B, not the assigner itself
    for (let t = 0; t < 20; t++) {
      await clock.advance(2000);
      if (t % 2 === 0) ["shardId-0", "shardId-2"].forEach(renew);
      expect(await probes.probe()).toEqual([]);
    }
  });

  test("a silent holder is judged dead after the failover time, not before; a scan in between does not restart it", async () => {
    const { clock, probes, scan, renew } = await setup();
    scan();
    await clock.advance(1000);
    ["shardId-0", "shardId-2"].forEach(renew); // A's last renewal (it dies right after)
    await clock.advance(1000);
    expect(await probes.probe()).toEqual([]); // the probes see both counters move at 2 s
    await clock.advance(4000);
    renew("shardId-2");
    // A full scan at 6 s sees A's counter changed since the last scan: new to the scan, not to the probe.
    scan();
    await clock.advance(6000); // 12 s: A unchanged for exactly the failover time since 2 s
    renew("shardId-2");
    expect(await probes.probe()).toEqual([]);
    await clock.advance(1);
    expect(await probes.probe()).toEqual(["A"]);
    expect(probes.nextExpiryAt()).toBe(12_000 + FAILOVER); // B's probe: its counter last seen moving at 12 s
  });

  test("no verdict from a lease that is no longer the holder's live lease (taken, finished, in handoff)", async () => {
    const { store, clock, probes, scan } = await setup();
    scan();
    const a = store.peek("shardId-0")!;
    store.put({ ...a, checkpoint: { sequenceNumber: "SHARD_END", subSequenceNumber: 0 } });
    const b = store.peek("shardId-2")!;
    store.put({ ...b, leaseOwner: "C" });
    await clock.advance(FAILOVER + 1);
    expect(await probes.probe()).toEqual([]);
    expect(probes.size).toBe(0);
  });
});

// The reads are timed by each holder's renewal phase (learned from when its counter was seen moving):
// one read per renew interval, right after the renewal, so a death is seen within the phase margin.
describe("holder probes: phase-aware timing", () => {
  /** A holder renewing shardId-0 every PERIOD from `phase`, until `diesAt`; the assigner reads when due. */
  async function drive(o: { phase: number; diesAt: number; until: number; everyRenewals?: number }) {
    const { store, clock, probes, scan } = await setup(o.everyRenewals);
    let reads = 0;
    const probeLease = store.probeLease.bind(store);
    store.probeLease = (key: string) => {
      reads += 1;
      return probeLease(key);
    };
    scan();
    let lastRenewal = 0;
    let deadAt: number | undefined;
    const readsAt = new Map<number, number>();
    for (let t = 50; t <= o.until && deadAt === undefined; t += 50) {
      await clock.advance(50);
      if (t >= o.phase && t < o.diesAt && (t - o.phase) % PERIOD < 50) {
        const l = store.peek("shardId-0")!;
        store.put({ ...l, leaseCounter: l.leaseCounter + 1 });
        lastRenewal = t;
      }
      if ((probes.nextDueAt() ?? Number.POSITIVE_INFINITY) <= t) {
        if ((await probes.probe()).includes("A")) deadAt = t;
      }
      readsAt.set(t, reads);
    }
    return { reads, readsAt, lastRenewal, deadAt, probes, clock };
  }

  test("once the phase is learned, one read per holder per renew interval", async () => {
    const { readsAt } = await drive({ phase: 1234, diesAt: Number.POSITIVE_INFINITY, until: 80_000 });
    // Two holders (A and B; B renews nothing here, so it is read at most every half period until its
    // verdict, then dropped): count A's and B's reads over the last minute, when A's phase is learned.
    const perMinute = readsAt.get(80_000)! - readsAt.get(20_000)!;
    expect(perMinute).toBeLessThanOrEqual(Math.ceil(60_000 / PERIOD) + 1);
    expect(perMinute).toBeGreaterThanOrEqual(Math.floor(60_000 / PERIOD));
  });

  test("a holder that dies right after a renewal is judged dead failover + margin after it, not a period later", async () => {
    for (const phase of [100, 1234, 2500, 3300]) {
      const { lastRenewal, deadAt } = await drive({ phase, diesAt: 40_000, until: 80_000 });
      expect(deadAt).toBeDefined();
      expect(deadAt! - lastRenewal).toBeGreaterThan(FAILOVER);
      expect(deadAt! - lastRenewal).toBeLessThanOrEqual(FAILOVER + PHASE_MARGIN_MS + 100);
    }
  });

  test("learnsWithin: once the phase is learned, how soon the holder's next renewal (which reads a notice) is due", async () => {
    // Read after every second renewal: the next renewal is often one the assigner did not read.
    // Instants well clear of a renewal (within the margin of one, the answer is the renewal after it).
    for (const [phase, until] of [
      [100, 31_500],
      [1234, 29_000],
      [2500, 30_500],
      [1234, 32_500],
    ] as const) {
      const d = { phase, diesAt: Number.POSITIVE_INFINITY, until, everyRenewals: 2 };
      const { probes, clock } = await drive(d);
      const now = clock.monotonic();
      const next = phase + Math.ceil((now - phase + 1) / PERIOD) * PERIOD;
      const within = probes.learnsWithin("A");
      expect(within).toBeDefined();
      expect(Math.abs(within! - (next - now))).toBeLessThanOrEqual(PHASE_MARGIN_MS);
      expect(probes.learnsWithin("nobody")).toBeUndefined();
    }
  });
});
