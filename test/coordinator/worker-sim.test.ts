// Deterministic simulations of whole workers (FakeKinesis + MemoryLeaseStore + one FakeClock each):
// join, crash, graceful stop, split, merge, fencing — with invariants checked after every step.
import { afterEach, describe, expect, test } from "bun:test";
import { LeaseLostError } from "../../src/core/errors.ts";
import { newLease } from "../../src/sync/new-lease.ts";
import { checkDeliveries, duplicates, producer, stepInvariants } from "./support/sim-checks.ts";
import { STREAM, WorkerSim } from "./support/worker-sim.ts";

/** failoverMs 3000 → renew every 900 ms: a stale processor must be gone within a renew round or two. */
const STALE_BOUND_MS = 2000;

let current: WorkerSim | undefined;
afterEach(async () => {
  await current?.stopAll();
  current = undefined;
});

type SimOptions = ConstructorParameters<typeof WorkerSim>[0];

function setup(
  seed: number,
  shards: number,
  options: SimOptions["options"] = {},
  onBatch?: SimOptions["onBatch"],
) {
  const sim = new WorkerSim({ seed, shards, options, onBatch });
  current = sim;
  return { sim, check: stepInvariants(sim, STALE_BOUND_MS), prod: producer(sim, 12) };
}

describe("worker simulation", () => {
  test("one worker processes all 4 shards; a second one joins → 2/2; every record once, in key order", async () => {
    const { sim, check, prod } = setup(11, 4);
    prod.produce(200);
    const a = await sim.addWorker("A");
    await sim.until("A owns 4", () => sim.ownersOf().A === 4, 10_000, check);
    const shardsWithProcessors = new Set(sim.instances.filter((p) => p.live).map((p) => p.shardId));
    expect(shardsWithProcessors.size).toBe(4);
    await sim.until("first 200 delivered", () => sim.deliveries.length >= 200, 10_000, check);
    await sim.addWorker("B");
    await sim.until("2/2", () => sim.ownersOf().A === 2 && sim.ownersOf().B === 2, 30_000, check);
    prod.produce(200);
    await sim.untilDelivered(400, check);
    await sim.run(2000, check);
    checkDeliveries(prod.put, sim.deliveries);
    // Moves by stealing may repeat records after the victim's last checkpoint, never before it.
    for (const d of duplicates(sim.deliveries)) expect(d.worker).toBe("B");
    expect(a.events.some((e) => e.type === "lease-handed-off")).toBe(true);
  });

  test("shards are processed concurrently; one shard's callbacks never overlap", async () => {
    let inFlight = 0;
    let most = 0;
    const perShard = new Map<string, number>();
    const { sim, check, prod } = setup(10, 4, { maxRecords: 5 }, async (p) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const mine = (perShard.get(p.shardId) ?? 0) + 1;
      perShard.set(p.shardId, mine);
      if (mine > 1) throw new Error(`overlapping processRecords on ${p.shardId}`);
      await p.clock.sleep(300);
      perShard.set(p.shardId, mine - 1);
      inFlight--;
    });
    prod.produce(80);
    await sim.addWorker("A");
    await sim.untilDelivered(80, check, 30_000);
    expect(most).toBe(4);
    expect(sim.workers[0]!.events.filter((e) => e.type === "processor-error")).toEqual([]);
  });

  test("a crashed worker's shards resume on the survivor from the last checkpoints", async () => {
    const { sim, check, prod } = setup(12, 4);
    const a = await sim.addWorker("A");
    await sim.addWorker("B");
    await sim.until("2/2", () => sim.ownersOf().A === 2 && sim.ownersOf().B === 2, 30_000, check);
    // Let the victims of the balancing steals notice them (they may deliver until their next renewal).
    await sim.run(2000, check);
    prod.produce(100);
    await sim.untilDelivered(100, check);
    expect(duplicates(sim.deliveries)).toEqual([]);
    // Auto checkpoints ride on renewals: within one renew interval every shard has a real checkpoint.
    await sim.until(
      "every shard checkpointed",
      () => sim.store.snapshot().every((l) => /^\d+$/.test(l.checkpoint.sequenceNumber)),
      5000,
      check,
    );
    prod.produce(40);
    await sim.run(300, check);
    a.frozen = true; // crash: A's time stops, it never renews again
    const checkpointsAtCrash = new Map(
      sim.store.snapshot().map((l) => [l.leaseKey, l.checkpoint.sequenceNumber]),
    );
    prod.produce(60);
    await sim.until("B owns 4", () => sim.ownersOf().B === 4, 20_000, check);
    await sim.untilDelivered(200, check);
    checkDeliveries(prod.put, sim.deliveries);
    for (const d of duplicates(sim.deliveries)) {
      expect(d.worker).toBe("B");
      expect(BigInt(d.sequenceNumber)).toBeGreaterThan(BigInt(checkpointsAtCrash.get(d.shardId)!));
    }
  });

  test("auto checkpoints ride on lease renewals: a steady stream costs no checkpoint writes of their own", async () => {
    const { sim, check, prod } = setup(17, 4);
    const writes = { renew: 0, checkpoint: 0 };
    const store = sim.store;
    const renew = store.renewLease.bind(store);
    const update = store.updateCheckpoint.bind(store);
    store.renewLease = (lease) => {
      writes.renew++;
      return renew(lease);
    };
    store.updateCheckpoint = (lease, u) => {
      writes.checkpoint++;
      return update(lease, u);
    };
    const a = await sim.addWorker("A");
    await sim.until("A owns 4", () => sim.ownersOf().A === 4, 10_000, check);
    const before = { ...writes };
    const renewedBefore = a.events.filter((e) => e.type === "lease-renewed").length;
    for (let i = 0; i < 40; i++) {
      prod.produce(12); // 24 records/s over 4 shards: every shard has new records in every renew round
      await sim.run(500, check);
    }
    const renewals = a.events.filter((e) => e.type === "lease-renewed").length - renewedBefore;
    const sent = writes.renew + writes.checkpoint - before.renew - before.checkpoint;
    expect(writes.checkpoint - before.checkpoint).toBeGreaterThan(40); // checkpoints did happen…
    expect(sent).toBe(renewals); // …and every write was a renewal: no separate checkpoint writes
    // Every processed record is checkpointed within a renew interval (900 ms here) or so.
    await sim.run(1000, check);
    const lastDelivered = new Map(sim.deliveries.map((d) => [d.shardId, d.sequenceNumber]));
    for (const lease of store.snapshot()) {
      expect(lease.checkpoint.sequenceNumber).toBe(lastDelivered.get(lease.leaseKey)!);
    }
    checkDeliveries(prod.put, sim.deliveries);
  });

  test("graceful stop: the other worker takes over at once, with zero duplicates", async () => {
    const { sim, check, prod } = setup(13, 4);
    const a = await sim.addWorker("A");
    await sim.addWorker("B");
    await sim.until("2/2", () => sim.ownersOf().A === 2 && sim.ownersOf().B === 2, 30_000, check);
    // Let the victims of the balancing steals notice them (they may deliver until their next renewal).
    await sim.run(2000, check);
    prod.produce(100);
    await sim.untilDelivered(100, check);
    const dupsBefore = duplicates(sim.deliveries).length;
    // Auto checkpoints ride on renewals (every 900 ms): stop A while it holds processed records no
    // renewal has written yet, so only the shutdown checkpoint can save B from repeating them.
    const unwritten = () =>
      sim.store.snapshot().filter((l) => {
        if (l.leaseOwner !== "A") return false;
        const mine = sim.deliveries.filter((d) => d.worker === "A" && d.shardId === l.leaseKey);
        const last = mine[mine.length - 1]?.sequenceNumber;
        const written = l.checkpoint.sequenceNumber;
        return last !== undefined && (!/^\d+$/.test(written) || BigInt(last) > BigInt(written));
      });
    prod.produce(50);
    await sim.until("A holds unwritten records", () => unwritten().length > 0, 10_000, check);
    const stopped = await sim.stopWorker(a);
    expect(stopped.clean).toBe(true);
    expect(a.events.filter((e) => e.type === "lease-released")).toHaveLength(2);
    const released = sim.elapsed;
    await sim.until("B owns 4", () => sim.ownersOf().B === 4, 10_000, check);
    // Released leases are taken on B's next taker round, not after a failover (3000 ms).
    expect(sim.elapsed - released).toBeLessThan(3000);
    prod.produce(50);
    await sim.untilDelivered(200, check);
    await sim.run(1000, check);
    checkDeliveries(prod.put, sim.deliveries);
    expect(duplicates(sim.deliveries)).toHaveLength(dupsBefore);
    expect(a.events.some((e) => e.type === "checkpoint-written" && e.by === "shutdown")).toBe(true);
  });

  test("split: children start after the parent is at SHARD_END; order per key holds; parent lease deleted", async () => {
    // The child leases are created while the parent still has a backlog (as a Java KCL worker sharing
    // the table does at its shard sync; ours waits for the parent's shard end), and the parent's
    // processor is slow: only the parents-first rule keeps the children from delivering first.
    const parent = "shardId-000000000000";
    const { sim, check, prod } = setup(14, 2, { maxRecords: 5 }, async (p) => {
      if (p.shardId === parent) await p.clock.sleep(200);
    });
    await sim.addWorker("A");
    await sim.addWorker("B");
    prod.produce(60);
    await sim.untilDelivered(60, check);
    prod.produce(30);
    const [c1, c2] = sim.kinesis.splitShard(STREAM, parent);
    for (const shard of await sim.kinesis.listShards(STREAM)) {
      if (shard.shardId === c1 || shard.shardId === c2)
        await sim.store.createLeaseIfNotExists(newLease(shard, "TRIM_HORIZON"));
    }
    prod.produce(60);
    await sim.untilDelivered(150, check, 30_000);
    checkDeliveries(prod.put, sim.deliveries);
    // Positions in the delivery log (not in a filtered list): every parent delivery precedes every
    // child delivery. Mutation run (test/README.md): waitOnParents returning "done" at once → red here.
    const shards = sim.deliveries.map((d) => d.shardId);
    const parentLast = shards.lastIndexOf(parent);
    const firstChild = shards.findIndex((s) => s === c1 || s === c2);
    expect(firstChild).toBeGreaterThan(parentLast);
    expect(parentLast).toBeGreaterThan(shards.indexOf(parent));
    await sim.until("parent lease deleted", () => !sim.store.peek(parent), 20_000, check);
    const children = sim.store.snapshot().filter((l) => l.parentShardIds.includes(parent));
    expect(children.map((l) => l.leaseKey).sort()).toEqual([c1, c2].sort());
    const ended = sim.workers.flatMap((w) => w.events).filter((e) => e.type === "shard-ended");
    expect(ended).toEqual([expect.objectContaining({ shardId: parent })]);
  });

  test("merge: parents on different workers; the child waits for the slower parent; order per key holds", async () => {
    // One parent's processor is slow, so the other ends first and creates the child lease while the
    // slow one still has records: only the parents-first rule keeps the child's keys in order.
    let slow = "";
    // No poll interval: a fast parent must read faster than the slow one is processed (200 ms per batch).
    const { sim, check, prod } = setup(15, 3, { maxRecords: 5, pollIntervalMs: 0 }, async (p) => {
      if (p.shardId === slow) await p.clock.sleep(200);
    });
    await sim.addWorker("A");
    await sim.addWorker("B");
    await sim.until(
      "both own shards",
      () => {
        const { A = 0, B = 0 } = sim.ownersOf();
        return A + B === 3 && A > 0 && B > 0;
      },
      30_000,
      check,
    );
    await sim.run(2000, check); // steal victims notice (they may deliver until their next renewal)
    // Shards 0-1-2 are adjacent in hash order and each worker owns one or two: some adjacent pair
    // has different owners. Merge that pair, so the parents are on different workers by construction.
    const owner = new Map(sim.store.snapshot().map((l) => [l.leaseKey, l.leaseOwner]));
    const ids = [0, 1, 2].map((n) => `shardId-00000000000${n}`);
    const at = owner.get(ids[0]!) !== owner.get(ids[1]!) ? 0 : 1;
    const [fast, slowParent] = [ids[at]!, ids[at + 1]!];
    expect(owner.get(fast)).not.toBe(owner.get(slowParent));
    slow = slowParent;
    prod.produce(90);
    const child = sim.kinesis.mergeShards(STREAM, fast, slowParent);
    prod.produce(90);
    await sim.untilDelivered(180, check, 60_000);
    checkDeliveries(prod.put, sim.deliveries);
    const shards = sim.deliveries.map((d) => d.shardId);
    const firstChild = shards.indexOf(child);
    expect(firstChild).toBeGreaterThan(shards.lastIndexOf(slowParent));
    expect(firstChild).toBeGreaterThan(shards.lastIndexOf(fast));
    const waited = sim.workers
      .flatMap((w) => w.events)
      .filter(
        (e) =>
          e.type === "shard-state" && e.shardId === child && e.state === "waiting-on-parents" && e.detail,
      );
    expect(waited.length).toBeGreaterThan(0);
    expect(waited[0]).toMatchObject({ detail: `waiting for parent ${slowParent} to reach SHARD_END` });
  });

  test("a checkpoint after the lease moved is rejected with LeaseLostError", async () => {
    const { sim, check, prod } = setup(16, 2, { checkpoint: "manual" });
    const a = await sim.addWorker("A");
    prod.produce(20);
    await sim.until("20 delivered", () => sim.deliveries.length >= 20, 10_000, check);
    await sim.addWorker("B");
    await sim.until("B steals one", () => sim.ownersOf().B === 1, 30_000, check);
    const stolen = sim.store.snapshot().find((l) => l.leaseOwner === "B")!.leaseKey;
    const victim = sim.instances.find((p) => p.worker === "A" && p.shardId === stolen)!;
    // A steal is a graceful handoff (spec §2): B is named leaseOwner and A checkpointOwner; A may still
    // checkpoint what it delivered until it has shut its processor down and transferred the lease.
    expect(victim.live).toBe(true);
    expect(sim.deliveries.some((d) => d.instance === victim.id)).toBe(true);
    const early = await victim.checkpointer!.checkpoint().catch((e) => e);
    expect(early).toBeUndefined();
    const row = sim.store.peek(stolen)!;
    expect([row.leaseOwner, row.checkpointOwner]).toEqual(["B", "A"]);
    const lastOfVictim = sim.deliveries.filter((d) => d.instance === victim.id).at(-1)!;
    expect(row.checkpoint.sequenceNumber).toBe(lastOfVictim.sequenceNumber);
    const handedOff = () => a.events.some((e) => e.type === "lease-handed-off" && e.leaseKey === stolen);
    await sim.until("the victim handed it over", () => !victim.live && handedOff(), 3000, check);
    // Once transferred, every later checkpoint is fenced.
    const error = await victim.checkpointer!.checkpoint().catch((e) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
  });

  test("the same seed replays the same deliveries", async () => {
    const trace = async () => {
      const { sim, check, prod } = setup(99, 3);
      prod.produce(50);
      await sim.addWorker("A");
      await sim.run(1000, check);
      await sim.addWorker("B");
      prod.produce(50);
      await sim.run(6000, check);
      const out = sim.deliveries.map((d) => `${d.t}:${d.worker}:${d.data}`);
      await sim.stopAll();
      current = undefined;
      return out;
    };
    const first = await trace();
    expect(first.length).toBeGreaterThanOrEqual(100);
    expect(await trace()).toEqual(first);
  });
});
