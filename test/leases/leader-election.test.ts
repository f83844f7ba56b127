// The assigner election (assigner mode): the 3.x Leader row claimed when absent, heartbeated with a new
// recordVersionNumber, and claimed from its holder only after this observer saw the same version for
// the lock's whole duration on its own clock; the named standby watches closely, others rarely.
import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../src/core/random.ts";
import { LeaderElection } from "../../src/leases/assignment/leader-election.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";

const DURATION = 10_000;

function election(store: MemoryLeaseStore, workerId: string, clock = new FakeClock()) {
  const e = new LeaderElection({
    store,
    workerId,
    clock,
    random: seededRandom(workerId.length),
    durationMs: DURATION,
    heartbeatMs: 3000,
    standbyCheckMs: 2000,
    checkMs: 30_000,
  });
  return { e, clock };
}

describe("leader election", () => {
  test("the first worker claims the absent row; a second one sees a live holder and waits", async () => {
    const store = new MemoryLeaseStore();
    const a = election(store, "A");
    const b = election(store, "B");
    await a.e.tick();
    expect(a.e.isLeader()).toBe(true);
    expect(store.peekCoordination().leader?.ownerName).toBe("A");
    expect(await b.e.tick()).toEqual({});
    expect(b.e.isLeader()).toBe(false);
  });

  test("a heartbeating leader is never replaced; a silent one is, after the lock's duration seen locally", async () => {
    const store = new MemoryLeaseStore();
    const a = election(store, "A");
    const b = election(store, "B");
    await a.e.tick();
    a.e.standby = "B";
    for (let t = 0; t < 10; t++) {
      await a.clock.advance(3000);
      await a.e.tick(); // heartbeat: a new recordVersionNumber (with the standby named)
      await b.clock.advance(3000);
      await b.e.tick();
      expect(b.e.isLeader()).toBe(false);
    }
    // A stops (crash): B needs to see the same version for more than the duration on its own clock.
    await b.clock.advance(DURATION);
    expect(await b.e.tick()).toEqual({});
    expect(b.e.isLeader()).toBe(false);
    await b.clock.advance(1);
    expect(await b.e.tick()).toEqual({ claimedFrom: "A" });
    expect(b.e.isLeader()).toBe(true);
    // The old leader's next heartbeat fails its condition: it stops leading at once.
    await a.e.tick();
    expect(a.e.isLeader()).toBe(false);
    expect(store.peekCoordination().leader?.ownerName).toBe("B");
  });

  test("the named standby checks every standby interval and right after the lock would expire; others every check interval", async () => {
    const store = new MemoryLeaseStore();
    const a = election(store, "A");
    const b = election(store, "B");
    const c = election(store, "C");
    await a.e.tick();
    a.e.standby = "B";
    await a.clock.advance(3000);
    await a.e.tick();
    await b.e.tick();
    await c.e.tick();
    expect(b.e.nextAt()).toBe(b.clock.monotonic() + 2000);
    expect(c.e.nextAt()).toBe(c.clock.monotonic() + 30_000);
    // Seen at 0 with no change since: the standby's next check is at the predicted expiry when sooner.
    await b.clock.advance(9000);
    await b.e.tick();
    expect(b.e.nextAt()).toBe(DURATION + 1);
  });

  test("a leader that cannot heartbeat for the lock's duration stops counting itself the leader", async () => {
    const store = new MemoryLeaseStore();
    const a = election(store, "A");
    await a.e.tick();
    expect(a.e.isLeader()).toBe(true);
    await a.clock.advance(DURATION);
    expect(a.e.isLeader()).toBe(false);
  });

  test("release deletes the row: another worker claims it at its next check, without waiting", async () => {
    const store = new MemoryLeaseStore();
    const a = election(store, "A");
    const b = election(store, "B");
    await a.e.tick();
    await b.e.tick();
    await a.e.release();
    expect(store.peekCoordination().leader).toBeUndefined();
    await b.e.tick();
    expect(b.e.isLeader()).toBe(true);
  });
});

// While the leader holds a lease its standby watches (leader-watch.ts), the row costs the Java KCL 3.x
// lock's writes; the standby claims on that lease's verdict.
describe("leader election: a leader watched through its lease", () => {
  function watched(store: MemoryLeaseStore, workerId: string, holdsLease: () => boolean) {
    const clock = new FakeClock();
    const e = new LeaderElection({
      store,
      workerId,
      clock,
      random: seededRandom(workerId.charCodeAt(0)),
      durationMs: DURATION,
      heartbeatMs: 3000,
      standbyCheckMs: 2000,
      checkMs: 120_000,
      watchable: holdsLease,
      rareHeartbeatMs: 30_000,
      rareDurationMs: 120_000,
    });
    return { e, clock };
  }

  test("rare heartbeats (30 s, lease duration 120 s) only with a lease and once the same standby has been named for the lock's duration", async () => {
    const store = new MemoryLeaseStore();
    let holds = true;
    const a = watched(store, "A", () => holds);
    await a.e.tick();
    expect(store.peekCoordination().leader?.leaseDuration).toBe(DURATION); // no standby named yet
    a.e.standby = "B"; // first written at 3 s: rare from 13 s on
    for (let t = 3000; t <= 12_000; t += 3000) {
      await a.clock.advance(3000);
      await a.e.tick();
      expect(store.peekCoordination().leader?.leaseDuration).toBe(DURATION); // B named, not long enough
    }
    await a.clock.advance(3000);
    await a.e.tick();
    expect(store.peekCoordination().leader?.leaseDuration).toBe(120_000);
    expect(a.e.nextAt()).toBe(a.clock.monotonic() + 30_000);
    // The lease moves away: the next heartbeat is due at once (its interval has passed) and frequent again.
    holds = false;
    expect(a.e.nextAt()).toBe(a.clock.monotonic() + 3000);
    await a.clock.advance(3000);
    await a.e.tick();
    expect(store.peekCoordination().leader?.leaseDuration).toBe(DURATION);
  });

  test("claimSilent: the standby claims from the leader its probe judged dead, at once; another holder is left alone", async () => {
    const store = new MemoryLeaseStore();
    const a = watched(store, "A", () => true);
    const b = watched(store, "B", () => true);
    await a.e.tick();
    await b.e.tick();
    expect(await b.e.claimSilent("X")).toEqual({}); // not the holder: nothing claimed
    expect(b.e.isLeader()).toBe(false);
    expect(await b.e.claimSilent("A")).toEqual({ claimedFrom: "A" });
    expect(b.e.isLeader()).toBe(true);
    // The old leader's next heartbeat fails its condition: it stops leading.
    await a.e.tick();
    expect(a.e.isLeader()).toBe(false);
  });
});
