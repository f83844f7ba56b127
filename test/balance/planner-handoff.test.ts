// The pure planner and KCL 3.x graceful handoffs: a lease in handoff counts for its next owner, is never
// a steal candidate, and is available only once it expired or its handoff timed out (listed in `expired`).
import { describe, expect, test } from "bun:test";
import { planLeases } from "../../src/balance/planner.ts";
import { seededRandom } from "../../src/core/random.ts";
import type { Lease } from "../../src/leases/lease.ts";
import { newLease } from "../../src/testing/lease-sim.ts";

const owned = (key: string, owner: string, checkpointOwner?: string): Lease =>
  newLease(key, { leaseOwner: owner, leaseCounter: 5, ...(checkpointOwner ? { checkpointOwner } : {}) });

function plan(me: string, leases: Lease[], held: string[], expired: string[] = []) {
  return planLeases({
    me,
    leases,
    held: new Set(held),
    expired: new Set(expired),
    maxLeasesForWorker: Number.POSITIVE_INFINITY,
    maxLeasesToSteal: 1,
    random: seededRandom(1),
  });
}

describe("planner: leases in handoff", () => {
  test("a handoff to me that has not finished counts for me and is not taken", () => {
    // A has 3, one of them being handed to B; B holds 1: B is at target (2), nothing to do.
    const leases = [owned("s0", "A"), owned("s1", "A"), owned("s2", "B", "A"), owned("s3", "B")];
    const p = plan("B", leases, ["s3"]);
    expect(p.counts).toEqual({ A: 2, B: 2 });
    expect(p.takes).toEqual([]);
    expect(p.steals).toEqual([]);
  });

  test("once transferred (no checkpointOwner), a row naming me that I do not hold is taken", () => {
    const leases = [owned("s0", "A"), owned("s1", "A"), owned("s2", "B"), owned("s3", "B")];
    const p = plan("B", leases, ["s3"]);
    expect(p.takes.map((t) => t.lease.leaseKey)).toEqual(["s2"]);
  });

  test("a handoff whose old owner died (expired) or that timed out is available", () => {
    const leases = [owned("s0", "A"), owned("s1", "B", "A")];
    expect(plan("B", leases, [], ["s1"]).takes.map((t) => t.lease.leaseKey)).toEqual(["s1"]);
    expect(plan("C", leases, [], ["s1"]).takes.map((t) => t.lease.leaseKey)).toEqual(["s1"]);
  });

  test("the old owner does not count a lease it is handing over, and nobody steals one in handoff", () => {
    const leases = [owned("s0", "A"), owned("s1", "A"), owned("s2", "A"), owned("s3", "B", "A")];
    const a = plan("A", leases, ["s0", "s1", "s2", "s3"]);
    expect(a.counts).toEqual({ A: 3, B: 1 });
    expect(a.takes).toEqual([]);
    // C joins a fleet where B is the most loaded: it may steal from B, never the lease B is receiving.
    const fleet = [
      owned("b0", "B"),
      owned("b1", "B"),
      owned("b2", "B"),
      owned("b3", "B", "A"),
      owned("a0", "A"),
    ];
    const c = plan("C", fleet, []);
    expect(c.steals.length).toBeGreaterThan(0);
    expect(c.steals.map((s) => s.lease.leaseKey).sort()).toEqual(["b0", "b1", "b2"]);
  });
});
