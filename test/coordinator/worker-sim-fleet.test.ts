// Worker simulations beyond two workers and TRIM_HORIZON: a third worker balances by stealing from
// both others, and AT_TIMESTAMP starts every shard at the first record at or after the timestamp.
import { afterEach, describe, expect, test } from "bun:test";
import { checkDeliveries, producer, stepInvariants } from "./support/sim-checks.ts";
import { WorkerSim } from "./support/worker-sim.ts";

let current: WorkerSim | undefined;
afterEach(async () => {
  await current?.stopAll();
  current = undefined;
});

function setup(
  seed: number,
  shards: number,
  options: ConstructorParameters<typeof WorkerSim>[0]["options"] = {},
) {
  const sim = new WorkerSim({ seed, shards, options });
  current = sim;
  return { sim, check: stepInvariants(sim, 2000), prod: producer(sim, 12) };
}

describe("worker simulation: fleets and start positions", () => {
  test("a third worker steals from both others: 6 shards end 2/2/2, every record delivered in key order", async () => {
    const { sim, check, prod } = setup(21, 6);
    prod.produce(120);
    const a = await sim.addWorker("A");
    await sim.until("A owns 6", () => sim.ownersOf().A === 6, 10_000, check);
    const b = await sim.addWorker("B");
    await sim.until("3/3", () => sim.ownersOf().A === 3 && sim.ownersOf().B === 3, 30_000, check);
    await sim.run(2000, check);
    const aHandedBefore = a.events.filter((e) => e.type === "lease-handed-off").length;
    const c = await sim.addWorker("C");
    const even = () => sim.ownersOf().A === 2 && sim.ownersOf().B === 2 && sim.ownersOf().C === 2;
    // A steal is a handoff: C is named owner at once and takes the lease after the transfer.
    const stolen = () => c.events.filter((e) => e.type === "lease-acquired" && e.how === "stolen");
    await sim.until("2/2/2, both handoffs done", () => even() && stolen().length === 2, 30_000, check);
    // C holds two leases, one taken from each (with maxLeasesToSteal 1 it steals from the most loaded).
    expect(
      stolen()
        .map((e) => (e.type === "lease-acquired" ? e.previousOwner : ""))
        .sort(),
    ).toEqual(["A", "B"]);
    expect(a.events.filter((e) => e.type === "lease-handed-off").length).toBe(aHandedBefore + 1);
    // And it stays balanced: no lease keeps moving once everyone holds its share.
    await sim.run(10_000, check);
    expect(even()).toBe(true);
    expect(b.events.filter((e) => e.type === "lease-handed-off" && e.to === "C")).toHaveLength(1);
    // Planned moves lose nothing: no lease was lost by either victim.
    expect([...a.events, ...b.events].filter((e) => e.type === "lease-lost")).toEqual([]);
    const mark = sim.deliveries.length;
    prod.produce(120);
    await sim.untilDelivered(240, check);
    checkDeliveries(prod.put, sim.deliveries);
    const workers = sim.deliveries.slice(mark).map((d) => d.worker);
    expect(new Set(workers)).toEqual(new Set(["A", "B", "C"]));
  });

  test("AT_TIMESTAMP: a new worker starts each shard at the first record at or after the timestamp", async () => {
    const { sim, check, prod } = setup(22, 3, {});
    prod.produce(60); // before the timestamp: never delivered
    await sim.run(5000);
    const timestamp = new Date(sim.world.now());
    await sim.run(100);
    prod.produce(60);
    sim.o.options = { initialPosition: "AT_TIMESTAMP", timestamp };
    await sim.addWorker("A");
    await sim.until("60 delivered", () => sim.deliveries.length >= 60, 20_000, check);
    await sim.run(3000, check);
    const later = prod.put.slice(60);
    // Exactly the records put after the timestamp, once each, and per key in put order.
    expect(sim.deliveries.map((d) => d.data).sort()).toEqual(later.map((p) => `${p.key}:${p.n}`).sort());
    const perKey = new Map<string, number>();
    for (const d of sim.deliveries) {
      const [key, n] = d.data.split(":") as [string, string];
      expect(Number(n)).toBeGreaterThan(perKey.get(key) ?? -1);
      perKey.set(key, Number(n));
    }
  });
});
