// The standby's watch on the assigner (assigner mode): through one of the leader's leases, read after
// every second renewal; the lease's verdict (unchanged for the failover time on the standby's clock)
// claims the lock at once, within failover + one renew interval + the phase margin of the last renewal.
import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../src/core/random.ts";
import { PHASE_MARGIN_MS } from "../../src/leases/assignment/holder-probes.ts";
import { LeaderElection } from "../../src/leases/assignment/leader-election.ts";
import { LeaderWatch } from "../../src/leases/assignment/leader-watch.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";

const FAILOVER = 10_000;
const RENEW = 3308;
const STEP = 50;

function election(store: MemoryLeaseStore, workerId: string, clock: FakeClock) {
  return new LeaderElection({
    store,
    workerId,
    clock,
    random: seededRandom(workerId.charCodeAt(0)),
    durationMs: FAILOVER,
    heartbeatMs: RENEW,
    standbyCheckMs: 2000,
    checkMs: 120_000,
    watchable: () => true,
    rareHeartbeatMs: 30_000,
    rareDurationMs: 120_000,
  });
}

/** Leader A renews its lease every RENEW from `phase` until `diesAt`; standby B watches. */
async function run(o: { phase: number; diesAt: number; until: number }) {
  const store = new MemoryLeaseStore();
  store.ownerIndex = true;
  store.put(newLease("shardId-0", { leaseOwner: "A", leaseCounter: 1 }));
  const clock = new FakeClock();
  const a = election(store, "A", clock);
  const b = election(store, "B", clock);
  await a.tick();
  a.standby = "B";
  a.soon();
  await a.tick(); // the row names B
  await b.tick(); // B reads it: it is the standby
  const watch = new LeaderWatch({
    store,
    clock,
    election: b,
    workerId: "B",
    failoverMs: FAILOVER,
    renewIntervalMs: RENEW,
  });
  let lastRenewal = 0;
  let claimedAt: number | undefined;
  for (let t = STEP; t <= o.until && claimedAt === undefined; t += STEP) {
    await clock.advance(STEP);
    if (t >= o.phase && t < o.diesAt && (t - o.phase) % RENEW < STEP) {
      const l = store.peek("shardId-0")!;
      store.put({ ...l, leaseCounter: l.leaseCounter + 1 });
      lastRenewal = t;
    }
    if (t < o.diesAt && t >= a.nextAt()) await a.tick();
    if ((watch.nextAt() ?? Number.POSITIVE_INFINITY) <= t && (await watch.step()) === "A") claimedAt = t;
  }
  return { claimedAt, lastRenewal, b, store };
}

describe("leader watch", () => {
  test("a renewing leader is never claimed from, although its row is heartbeated only every 30 s", async () => {
    const { claimedAt, b } = await run({ phase: 700, diesAt: Number.POSITIVE_INFINITY, until: 120_000 });
    expect(claimedAt).toBeUndefined();
    expect(b.isLeader()).toBe(false);
    expect(b.watchingLease).toBe(true);
  });

  test("a dead leader is claimed from within failover + a renew interval + the margin of its last renewal", async () => {
    for (const [phase, diesAt] of [
      [700, 40_000],
      [2000, 41_000],
      [3000, 43_000],
    ] as const) {
      const { claimedAt, lastRenewal, b, store } = await run({ phase, diesAt, until: 80_000 });
      expect(claimedAt).toBeDefined();
      expect(claimedAt! - lastRenewal).toBeGreaterThan(FAILOVER);
      expect(claimedAt! - lastRenewal).toBeLessThanOrEqual(FAILOVER + RENEW + PHASE_MARGIN_MS + STEP);
      expect(b.isLeader()).toBe(true);
      expect(store.peekCoordination().leader?.ownerName).toBe("B");
    }
  });
});
