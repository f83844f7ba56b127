// Holder liveness probes (assigner mode, --assigner-scan-ms above the assigner interval): one read of
// one live lease per holder; a holder is judged dead only when that lease kept its counter for the
// failover time on the assigner's clock, and a full scan in between does not restart that clock.
import { describe, expect, test } from "bun:test";
import { HolderProbes } from "../../src/leases/assignment/holder-probes.ts";
import { ExpiryObserver } from "../../src/leases/expiry-observer.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";

const FAILOVER = 10_000;

async function setup() {
  const store = new MemoryLeaseStore();
  const clock = new FakeClock();
  const observer = new ExpiryObserver(FAILOVER);
  for (const [i, owner] of ["A", "A", "B", "B", "me"].entries()) {
    store.put(newLease(`shardId-${i}`, { leaseOwner: owner, leaseCounter: 1 }));
  }
  const probes = new HolderProbes({ store, clock, failoverMs: FAILOVER, workerId: "me" });
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
