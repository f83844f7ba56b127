// Mixed lease-assignment modes on one table (deterministic simulations, memory store): a taker-mode
// worker that sees a live assigner's Leader row never takes or steals and stops with a configuration
// error; a stale row left by an earlier assigner fleet delays a taker fleet by its leaseDuration only;
// the assigner reports owners that are not assigner-mode workers.
import { describe, expect, test } from "bun:test";
import { EXIT, exitCodeFor } from "../../cli/exit-codes.ts";
import { ConfigurationError } from "../../src/core/errors.ts";
import { AssignerPresence, mixedAssignmentError } from "../../src/leases/assigner-presence.ts";
import { LeaseSim, type SimWorker } from "../../src/testing/lease-sim.ts";

const SEEDS = [1, 2, 3];
const FAILOVER = 10_000;
/** Generous liveness bounds (fail only when something never happens). */
const LIMIT = 180_000;

/** The worker's run() rejection, once it rejects. */
function refusalOf(w: SimWorker): { error?: unknown } {
  const out: { error?: unknown } = {};
  w.done.catch((e) => {
    out.error = e;
  });
  return out;
}

const leader = (sim: LeaseSim) => sim.store.peekCoordination().leader?.ownerName;
const acquiredBy = (sim: LeaseSim, id: string) =>
  sim.events("lease-acquired").filter((e) => e.workerId === id);
const handoffsTo = (sim: LeaseSim, id: string) =>
  sim.events("lease-handoff-initiated").filter((e) => e.workerId === id);

describe("mixed lease-assignment modes", () => {
  for (const seed of SEEDS) {
    test(`seed ${seed}: a taker joining a live assigner fleet takes nothing and stops with exit-2 error`, async () => {
      const sim = new LeaseSim({
        seed,
        leases: 6,
        options: { leaseAssignment: "assigner", failoverMs: FAILOVER },
        unownedMs: 3 * 2000,
      });
      sim.addWorker("a1");
      await sim.runFor(700);
      sim.addWorker("a2");
      await sim.runUntil("3/3", () => sim.distribution().join() === "3,3", 60_000);
      const before = sim.owners();
      const taker = sim.addWorker("t1", { leaseAssignment: "taker" });
      const refusal = refusalOf(taker);
      await sim.runUntil("the taker refuses", () => refusal.error !== undefined, LIMIT);
      const error = refusal.error as ConfigurationError;
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain(`lease table ${sim.config.table} `);
      expect(error.message).toContain(`held by ${leader(sim)}`);
      expect(error.message).toContain("--lease-assignment assigner");
      expect(error.context).toMatchObject({ table: sim.config.table, option: "lease-assignment" });
      expect(taker.log.some((e) => e.type === "warning" && e.message === error.message)).toBe(true);
      await sim.runFor(30_000);
      // Nothing taken, stolen or asked for by the taker; the assigner fleet's leases did not move.
      expect(acquiredBy(sim, "t1")).toEqual([]);
      expect(handoffsTo(sim, "t1")).toEqual([]);
      expect(sim.owners()).toEqual(before);
      expect(sim.events("lease-lost")).toEqual([]);
    });

    test(`seed ${seed}: an assigner starting beside a taker fleet → the takers stop taking and refuse; the assigner reports them`, async () => {
      // Leases the takers release are found by the assigner's next full scan (every 4 × failover), which
      // does not watch them through probes: they are not assigner-mode workers.
      const unownedMs = 4 * FAILOVER + 5000;
      const sim = new LeaseSim({ seed, leases: 6, options: { failoverMs: FAILOVER }, unownedMs });
      sim.store.ownerIndex = true;
      const takers = ["t1", "t2"].map((id) => sim.addWorker(id));
      const refusals = takers.map(refusalOf);
      await sim.runUntil("3/3", () => sim.distribution().join() === "3,3", 60_000);
      sim.addWorker("a1", { leaseAssignment: "assigner" });
      await sim.runUntil("both takers refuse", () => refusals.every((r) => r.error !== undefined), LIMIT);
      for (const r of refusals) expect((r.error as Error).message).toContain("held by a1");
      await sim.runFor(20_000); // the takers still renew what they hold until they stop
      // From its first scan that showed the row on, a taker takes, steals and asks for nothing (a
      // handoff it had asked for before may still complete in between: its scan had not seen the row).
      for (const t of takers) {
        const refusedAt = t.log.findIndex(
          (e) => e.type === "warning" && e.message.includes("live lease assigner"),
        );
        expect(refusedAt).toBeGreaterThan(0);
        const after = t.log.slice(refusedAt).map((e) => e.type);
        expect(
          after.filter((type) => type === "lease-acquired" || type === "lease-handoff-initiated"),
        ).toEqual([]);
      }
      // The assigner names the owners that are not assigner-mode workers.
      const reports = sim
        .events("warning")
        .filter((e) => e.workerId === "a1" && e.message.includes("has no worker row"));
      expect(reports.map((e) => e.message.split(" ")[2]).sort()).toEqual(["t1", "t2"]);
      // The workers stop gracefully (released leases): the assigner ends up with every lease.
      await Promise.all(["t1", "t2"].map((id) => sim.leave(id)));
      await sim.runUntil("a1 holds all 6", () => sim.distribution().join() === "6", unownedMs + 10_000);
    });
  }

  test("a stale Leader row (an earlier assigner fleet) delays a taker fleet by its leaseDuration, no more", async () => {
    const sim = new LeaseSim({ seed: 5, leases: 4, options: { failoverMs: FAILOVER }, unownedMs: 20_000 });
    const stale = { ownerName: "old-assigner", leaseDuration: 10_000, recordVersionNumber: "abc" };
    expect(await sim.store.writeLeader(undefined, stale)).toBe(true);
    const workers = ["t1", "t2"].map((id) => sim.addWorker(id));
    const refusals = workers.map(refusalOf);
    // Not judged yet: a live assigner would change it within its leaseDuration, so nothing is taken.
    await sim.runFor(stale.leaseDuration - 500);
    expect(sim.events("lease-acquired")).toEqual([]);
    await sim.runUntil("2/2", () => sim.distribution().join() === "2,2", 30_000);
    expect(refusals.map((r) => r.error)).toEqual([undefined, undefined]);
    const warnings = sim.events("warning").filter((e) => e.message.includes("stale Leader row"));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]!.message).toContain("held by old-assigner");
    // Deleted on condition it was unchanged: a later taker start is not delayed again.
    expect(sim.store.peekCoordination().leader).toBeUndefined();
  });
});

describe("AssignerPresence: the Leader row judged by the lock's rule on the observer's clock", () => {
  const row = (rvn: string, leaseDuration = 10_000) => ({
    ownerName: "A",
    leaseDuration,
    recordVersionNumber: rvn,
  });

  test("first sighting unknown; a new version within its duration live; unchanged past it stale", () => {
    const p = new AssignerPresence();
    expect(p.observe(row("v1"), 0)).toBe("unknown");
    expect(p.observe(row("v1"), 10_000)).toBe("unknown");
    expect(p.observe(row("v2"), 10_500)).toBe("live");
    expect(p.observe(row("v2"), 20_500)).toBe("live");
    expect(p.observe(row("v2"), 20_501)).toBe("stale");
    // A stale row heartbeated again (an assigner came back): live at once.
    expect(p.observe(row("v3"), 30_000)).toBe("live");
    expect(p.observe(undefined, 31_000)).toBe("none");
  });

  test("a row that appears while this worker watches is live at once; an abandoned one goes stale", () => {
    const p = new AssignerPresence();
    expect(p.observe(undefined, 0)).toBe("none");
    expect(p.observe(row("v1"), 2000)).toBe("live");
    const q = new AssignerPresence();
    expect(q.observe(row("old", 120_000), 0)).toBe("unknown");
    expect(q.observe(row("old", 120_000), 120_001)).toBe("stale");
  });

  test("the refusal is a configuration error: exit code 2 (spec §5)", () => {
    const error = mixedAssignmentError("orders-app", row("v1"));
    expect(exitCodeFor(error)).toBe(EXIT.usage);
    expect(error.message).toContain("lease table orders-app ");
    expect(error.message).toContain("--lease-assignment assigner");
  });
});
