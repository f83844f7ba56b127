// Table-driven tests of the pure balancing planner: one lease-table snapshot in, takes and steals out.
import { describe, expect, test } from "bun:test";
import { planLeases } from "../../src/balance/planner.ts";
import { seededRandom } from "../../src/core/random.ts";
import type { Lease } from "../../src/leases/lease.ts";
import { newLease } from "../../src/testing/lease-sim.ts";

/** Compact table notation: "A" = owned by A, "-" = unowned, "A!" = owned by A but expired, "A$" = SHARD_END. */
function table(
  spec: string,
  extra: (i: number) => Partial<Lease> = () => ({}),
): {
  leases: Lease[];
  expired: Set<string>;
} {
  const expired = new Set<string>();
  const leases = spec
    .trim()
    .split(/\s+/)
    .map((cell, i) => {
      const key = `s${i}`;
      const owner = cell.replace(/[!$]/g, "");
      if (cell.includes("!")) expired.add(key);
      return newLease(key, {
        leaseCounter: owner === "-" ? 0 : 5,
        ...(owner === "-" ? {} : { leaseOwner: owner }),
        ...(cell.includes("$") ? { checkpoint: { sequenceNumber: "SHARD_END", subSequenceNumber: 0 } } : {}),
        ...extra(i),
      });
    });
  return { leases, expired };
}

function plan(
  spec: string,
  me: string,
  opts: { max?: number; steal?: number; extra?: (i: number) => Partial<Lease>; seed?: number } = {},
) {
  const { leases, expired } = table(spec, opts.extra);
  const held = new Set(leases.filter((l) => l.leaseOwner === me).map((l) => l.leaseKey));
  return planLeases({
    me,
    leases,
    held,
    expired,
    maxLeasesForWorker: opts.max ?? Number.POSITIVE_INFINITY,
    maxLeasesToSteal: opts.steal ?? 1,
    random: seededRandom(opts.seed ?? 1),
  });
}

describe("balancing planner", () => {
  const cases: {
    name: string;
    spec: string;
    me: string;
    max?: number;
    steal?: number;
    target: number;
    takes: number;
    steals: number;
    from?: string;
    live: string[];
  }[] = [
    {
      name: "first worker takes every unowned lease",
      spec: "- - - -",
      me: "A",
      target: 4,
      takes: 4,
      steals: 0,
      live: ["A"],
    },
    {
      name: "a worker at target takes nothing",
      spec: "A A B B",
      me: "A",
      target: 2,
      takes: 0,
      steals: 0,
      live: ["A", "B"],
    },
    {
      name: "newcomer steals one from the loaded worker",
      spec: "A A A A",
      me: "B",
      target: 2,
      takes: 0,
      steals: 1,
      from: "A",
      live: ["A", "B"],
    },
    {
      name: "steal count capped by maxLeasesToSteal",
      spec: "A A A A A A A A",
      me: "B",
      steal: 3,
      target: 4,
      takes: 0,
      steals: 3,
      from: "A",
      live: ["A", "B"],
    },
    {
      name: "3/3/2 is stable: the worker with 2 does not steal",
      spec: "A A A B B B C C",
      me: "C",
      target: 3,
      takes: 0,
      steals: 0,
      live: ["A", "B", "C"],
    },
    {
      name: "4/2/2 → steal one from A",
      spec: "A A A A B B C C",
      me: "B",
      target: 3,
      takes: 0,
      steals: 1,
      from: "A",
      live: ["A", "B", "C"],
    },
    {
      name: "never steal when it just moves the imbalance (3 vs 2 with target 3)",
      spec: "A A A B B",
      me: "B",
      target: 3,
      takes: 0,
      steals: 0,
      live: ["A", "B"],
    },
    {
      name: "everyone at target but me far below: steal one (Java rule)",
      spec: "A A A B B B C C C",
      me: "D",
      target: 3,
      takes: 0,
      steals: 1,
      live: ["A", "B", "C", "D"],
    },
    {
      name: "expired leases of a dead worker are available",
      spec: "A A B! B!",
      me: "A",
      target: 4,
      takes: 2,
      steals: 0,
      live: ["A"],
    },
    {
      name: "available leases are taken before anything is stolen",
      spec: "A A A - ",
      me: "B",
      target: 2,
      takes: 1,
      steals: 0,
      live: ["A", "B"],
    },
    {
      name: "finished (SHARD_END) leases count neither for target nor work",
      spec: "A$ A$ A$ A$ A B",
      me: "B",
      target: 1,
      takes: 0,
      steals: 0,
      live: ["A", "B"],
    },
    {
      name: "unowned finished leases are never taken",
      spec: "-$ -$ A",
      me: "B",
      target: 1,
      takes: 0,
      steals: 0,
      live: ["A", "B"],
    },
    {
      name: "maxLeasesForWorker caps the target",
      spec: "- - - - - -",
      me: "A",
      max: 2,
      target: 2,
      takes: 2,
      steals: 0,
      live: ["A"],
    },
    {
      name: "maxLeasesToSteal 0 disables stealing",
      spec: "A A A A",
      me: "B",
      steal: 0,
      target: 2,
      takes: 0,
      steals: 0,
      live: ["A", "B"],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = plan(c.spec, c.me, { max: c.max, steal: c.steal });
      expect(p.target).toBe(c.target);
      expect(p.wantTakes).toBe(c.takes);
      expect(p.wantSteals).toBe(c.steals);
      expect(p.liveWorkers).toEqual(c.live);
      if (c.from) for (const s of p.steals) expect(s.previousOwner).toBe(c.from);
    });
  }

  test("take candidates say how: unowned (new), released (counter > 0), expired (with previous owner)", () => {
    const p = plan("- - B!", "A", { extra: (i) => (i === 1 ? { leaseCounter: 9 } : {}) });
    const how = Object.fromEntries(p.takes.map((t) => [t.lease.leaseKey, [t.how, t.previousOwner]]));
    expect(how).toEqual({ s0: ["unowned", undefined], s1: ["released", undefined], s2: ["expired", "B"] });
  });

  test("all available leases are candidates (fallbacks when a take loses a race), shuffled by the seed", () => {
    const spec = "- - - - - - - - A A A A A A A A";
    const a = plan(spec, "B", { seed: 1 }).takes.map((t) => t.lease.leaseKey);
    const b = plan(spec, "B", { seed: 2 }).takes.map((t) => t.lease.leaseKey);
    expect(a).toHaveLength(8);
    expect([...a].sort()).toEqual([...b].sort());
    expect(a).not.toEqual(b);
    expect(plan(spec, "B", { seed: 1 }).takes.map((t) => t.lease.leaseKey)).toEqual(a); // reproducible
    expect(plan(spec, "B").wantTakes).toBe(8);
  });

  test("a Java 3.x handoff in progress (checkpointOwner set) is neither taken nor stolen unless expired", () => {
    const handoff = (i: number) => (i < 4 ? { checkpointOwner: "A" } : {});
    const p = plan("A A A A A A", "B", { extra: handoff, steal: 5 });
    expect(p.steals.map((s) => s.lease.leaseKey).sort()).toEqual(["s4", "s5"]);
    const expired = plan("C! A A A", "B", { extra: (i) => (i === 0 ? { checkpointOwner: "A" } : {}) });
    expect(expired.takes.map((t) => t.lease.leaseKey)).toEqual(["s0"]);
  });

  test("a row naming me that I do not hold is adopted back (a take whose response was lost)", () => {
    const { leases, expired } = table("A A B B");
    const p = planLeases({
      me: "A",
      leases,
      held: new Set(["s0"]),
      expired,
      maxLeasesForWorker: Number.POSITIVE_INFINITY,
      maxLeasesToSteal: 1,
      random: seededRandom(1),
    });
    expect(p.myCount).toBe(1);
    expect(p.takes.map((t) => [t.lease.leaseKey, t.how, t.previousOwner])).toEqual([["s1", "expired", "A"]]);
  });

  test("capacity shortfall is reported when maxLeasesForWorker × live workers < active leases", () => {
    const p = plan("A A B B - -", "A", { max: 2 });
    expect(p.capacityShortfall).toEqual({ leases: 6, capacity: 4 });
    expect(p.wantTakes).toBe(0);
    expect(plan("A A B B - -", "A", { max: 3 }).capacityShortfall).toBeUndefined();
  });
});
