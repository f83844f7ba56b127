// No gap at LATEST (spec §2): a lease at LATEST that moves before its first checkpoint — crash, graceful
// stop, steal — or whose reader reopens before delivering, resumes at its recorded start, so every
// record written after the application first read the shard is delivered. Deterministic simulations.
import { afterEach, describe, expect, test } from "bun:test";
import type { KclOptions } from "../../src/config/options.ts";
import { producer, stepInvariants } from "./support/sim-checks.ts";
import { type Delivery, WorkerSim } from "./support/worker-sim.ts";

let current: WorkerSim | undefined;
afterEach(async () => {
  await current?.stopAll();
  current = undefined;
});

function setup(seed: number, shards: number, options: Partial<KclOptions> = {}) {
  const sim = new WorkerSim({ seed, shards, options: { initialPosition: "LATEST", ...options } });
  current = sim;
  return { sim, prod: producer(sim, 12), check: stepInvariants(sim, 2000) };
}

/** Every lease has its first read recorded and the readers had time to open their LATEST iterators. */
async function reading(sim: WorkerSim, check: () => void) {
  await sim.until(
    "every lease has a recorded start",
    () => sim.store.snapshot().every((l) => l.resolvedStart !== undefined),
    10_000,
    check,
  );
  await sim.run(500, check);
  expect(sim.store.snapshot().every((l) => l.checkpoint.sequenceNumber === "LATEST")).toBe(true);
}

/** Records put from index `from` on that were never delivered. */
function missingSince(put: { key: string; n: number }[], from: number, deliveries: readonly Delivery[]) {
  const seen = new Set(deliveries.map((d) => d.data));
  return put.slice(from).filter((p) => !seen.has(`${p.key}:${p.n}`));
}

describe("no gap at LATEST (simulation)", () => {
  test("crash before the first checkpoint: the survivor starts at the recorded start, not at its now", async () => {
    // Manual mode and a processor that never checkpoints: the lease stays at LATEST for good.
    const { sim, prod, check } = setup(21, 2, { checkpoint: "manual" });
    prod.produce(10); // before the application started: LATEST skips these
    const a = await sim.addWorker("A");
    await reading(sim, check);
    const start = prod.put.length;
    prod.produce(20);
    await sim.untilDelivered(20, check);
    a.frozen = true; // crash
    prod.produce(20); // nobody reads these until the takeover
    await sim.addWorker("B");
    await sim.until("B owns both", () => sim.ownersOf().B === 2, 20_000, check);
    prod.produce(10);
    await sim.run(3000, check);
    expect(missingSince(prod.put, start, sim.deliveries)).toEqual([]);
  });

  test("graceful stop before any delivery: the next owner delivers what was written meanwhile", async () => {
    const { sim, prod, check } = setup(22, 2);
    const a = await sim.addWorker("A");
    await reading(sim, check);
    const start = prod.put.length;
    await sim.stopWorker(a); // released at LATEST: nothing was delivered, nothing checkpointed
    expect(sim.store.snapshot().every((l) => l.leaseOwner === undefined)).toBe(true);
    prod.produce(16); // unowned while these arrive
    await sim.run(1000, check);
    await sim.addWorker("B");
    await sim.until("B owns both", () => sim.ownersOf().B === 2, 10_000, check);
    prod.produce(8);
    await sim.run(3000, check);
    expect(missingSince(prod.put, start, sim.deliveries)).toEqual([]);
    expect(new Set(sim.deliveries.map((d) => d.data)).size).toBe(sim.deliveries.length);
  });

  test("steal (handoff) of LATEST leases: records written while a lease changes hands are delivered once", async () => {
    const { sim, prod, check } = setup(23, 4);
    const a = await sim.addWorker("A");
    await reading(sim, check);
    const start = prod.put.length;
    // A burst each time A is asked to hand a lease over: its processor is stopping, the next owner has
    // not opened its reader yet. The first moved lease has delivered nothing: its checkpoint is LATEST.
    let handoffsSeen = 0;
    const burst = () => {
      check();
      const requested = a.events.filter((e) => e.type === "lease-handoff-requested").length;
      if (requested > handoffsSeen) prod.produce(12);
      handoffsSeen = requested;
    };
    await sim.addWorker("B");
    await sim.until("2/2", () => sim.ownersOf().A === 2 && sim.ownersOf().B === 2, 30_000, burst);
    await sim.run(3000, burst);
    expect(handoffsSeen).toBe(2);
    expect(missingSince(prod.put, start, sim.deliveries)).toEqual([]);
    expect(new Set(sim.deliveries.map((d) => d.data)).size).toBe(sim.deliveries.length);
  });

  test("a reader that fails and reopens before delivering anything resumes at the recorded start", async () => {
    const { sim, prod, check } = setup(24, 2);
    await sim.addWorker("A");
    await reading(sim, check);
    const start = prod.put.length;
    // The next GetRecords of each shard fails with an error the reader cannot handle: it is reopened.
    sim.kinesis.failNext("getRecords", () => new Error("connection reset"), { times: 2 });
    prod.produce(12); // written before the reopen
    await sim.run(3000, check);
    expect(sim.workers[0]!.events.filter((e) => e.type === "warning").length).toBeGreaterThanOrEqual(1);
    expect(missingSince(prod.put, start, sim.deliveries)).toEqual([]);
  });
});
