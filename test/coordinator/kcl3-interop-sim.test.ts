// Mixed fleets with the Java KCL 3.x (spec §2, §3): lease rows written exactly as a 3.x leader and a
// 3.x worker write them (initiate handoff: leaseOwner := next, checkpointOwner := old, counter kept;
// renew while in handoff; transfer: checkpointOwner removed, counter + 1). Deterministic simulations.
import { afterEach, describe, expect, test } from "bun:test";
import type { Lease } from "../../src/leases/lease.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { checkDeliveries, duplicates, producer, stepInvariants } from "./support/sim-checks.ts";
import { STREAM, WorkerSim } from "./support/worker-sim.ts";

let current: WorkerSim | undefined;
afterEach(async () => {
  await current?.stopAll();
  current = undefined;
});

const SHARD0 = "shardId-000000000000";
const SHARD1 = "shardId-000000000001";

function row(sim: WorkerSim, key: string): Lease {
  return sim.store.peek(key)!;
}

/** Every record of a shard, in order (read straight from the fake stream). */
async function shardRecords(sim: WorkerSim, shardId: string) {
  const it = await sim.kinesis.getShardIterator(STREAM, shardId, { type: "TRIM_HORIZON" });
  return (await sim.kinesis.getRecords(it, 10_000)).records;
}

describe("KCL 3.x rows (simulation)", () => {
  test("a 3.x leader hands a lease of kcl-ts worker A to kcl-ts worker B: A finishes and transfers, no record twice", async () => {
    const sim = new WorkerSim({ seed: 31, shards: 2, options: { maxLeasesToSteal: 0 } });
    current = sim;
    const prod = producer(sim, 8);
    const invariants = stepInvariants(sim, 2000);
    let load = true;
    const check = () => {
      invariants();
      if (load) prod.produce(1);
    };
    const a = await sim.addWorker("A");
    await sim.until("A owns 2", () => sim.ownersOf().A === 2, 10_000, check);
    await sim.addWorker("B"); // never steals: only the leader moves leases
    await sim.run(2000, check);
    expect(sim.ownersOf()).toEqual({ A: 2 });
    // The leader's initiate: UpdateItem SET leaseOwner = B, checkpointOwner = A (counter unchanged).
    const before = row(sim, SHARD0);
    const initiated = await sim.store.initiateHandoff(before, "B");
    expect(initiated).toMatchObject({ ok: true, value: { leaseCounter: before.leaseCounter } });
    await sim.until(
      "B processes shard 0",
      () => sim.deliveries.some((d) => d.worker === "B" && d.shardId === SHARD0),
      10_000,
      check,
    );
    expect(row(sim, SHARD0)).toMatchObject({ leaseOwner: "B" });
    expect(row(sim, SHARD0).checkpointOwner).toBeUndefined();
    expect(a.events.filter((e) => e.type === "lease-handed-off")).toHaveLength(1);
    expect(a.events.filter((e) => e.type === "lease-lost")).toEqual([]);
    load = false;
    await sim.untilDelivered(prod.put.length, check);
    await sim.run(2000, check);
    checkDeliveries(prod.put, sim.deliveries);
    expect(duplicates(sim.deliveries)).toEqual([]);
  });

  test("a 3.x worker J hands a lease to kcl-ts B: B leaves it alone while J renews, then starts at J's checkpoint", async () => {
    const sim = new WorkerSim({ seed: 32, shards: 2 });
    current = sim;
    const prod = producer(sim, 8);
    prod.produce(40);
    // J (Java 3.x) owned shard 0 and processed part of it; the leader asked it to hand the lease to B.
    sim.store.put(newLease(SHARD0, { leaseOwner: "B", checkpointOwner: "J", leaseCounter: 7 }));
    sim.store.put(newLease(SHARD1));
    const invariants = stepInvariants(sim, 2000);
    let jRenews = true;
    const check = () => {
      invariants();
      // J keeps renewing while it finishes (a 3.x old owner renews while checkpointOwner == J).
      if (jRenews && sim.elapsed % 900 === 0) void sim.store.renewLease(row(sim, SHARD0));
    };
    await sim.addWorker("B");
    // Longer than failover: J's renewals keep the lease live; shorter than the handoff timeout (8 s).
    await sim.run(6000, check);
    expect(row(sim, SHARD0)).toMatchObject({ leaseOwner: "B", checkpointOwner: "J" });
    expect(sim.deliveries.filter((d) => d.shardId === SHARD0)).toEqual([]);
    // J checkpoints what it processed, then transfers (3.x assign: owner stays B, checkpointOwner removed).
    const records = await shardRecords(sim, SHARD0);
    const processedByJ = records[Math.floor(records.length / 2)]!;
    const cp = await sim.store.updateCheckpoint(row(sim, SHARD0), {
      checkpoint: { sequenceNumber: processedByJ.sequenceNumber, subSequenceNumber: 0 },
    });
    expect(cp.ok).toBe(true);
    expect((await sim.store.transferLease(row(sim, SHARD0))).ok).toBe(true);
    jRenews = false;
    const expected = records.filter((r) => BigInt(r.sequenceNumber) > BigInt(processedByJ.sequenceNumber));
    await sim.until(
      "B delivered the rest of shard 0",
      () => sim.deliveries.filter((d) => d.shardId === SHARD0).length >= expected.length,
      10_000,
      check,
    );
    await sim.run(1000, check);
    const got = sim.deliveries.filter((d) => d.shardId === SHARD0).map((d) => d.sequenceNumber);
    expect(got).toEqual(expected.map((r) => r.sequenceNumber)); // exactly after J's checkpoint, once each
  });

  test("a 3.x old owner that renews but never transfers: B takes the lease only after the handoff timeout", async () => {
    const sim = new WorkerSim({ seed: 33, shards: 1 });
    current = sim;
    sim.store.put(newLease(SHARD0, { leaseOwner: "B", checkpointOwner: "J", leaseCounter: 3 }));
    const check = () => {
      if (sim.elapsed % 900 === 0 && row(sim, SHARD0).checkpointOwner === "J")
        void sim.store.renewLease(row(sim, SHARD0));
    };
    const b = await sim.addWorker("B");
    const startedAt = sim.elapsed;
    await sim.until("B took it", () => row(sim, SHARD0).checkpointOwner === undefined, 30_000, check);
    const took = sim.elapsed - startedAt;
    // shutdownTimeoutMs 5000 + failoverMs 3000 on B's own clock, plus at most one taker round.
    expect(took).toBeGreaterThan(8000);
    expect(took).toBeLessThanOrEqual(8000 + 600 + 2 * sim.stepMs);
    expect(b.events.find((e) => e.type === "lease-acquired")).toMatchObject({ how: "expired" });
  });
});
