// The assigner's fleet plan (assigner mode): expired and unowned leases go to the least-loaded live
// workers, the fleet balances to within one lease in a single pass by graceful handoffs, and nothing
// moves that should not (finished leases, leases in handoff, a balanced fleet).
import { describe, expect, test } from "bun:test";
import { planFleet } from "../../src/balance/fleet-plan.ts";
import type { Lease } from "../../src/leases/lease.ts";
import { newLease } from "../../src/testing/lease-sim.ts";

const key = (i: number) => `shardId-${String(i).padStart(12, "0")}`;
const owned = (i: number, owner?: string, extra: Partial<Lease> = {}): Lease =>
  newLease(key(i), { leaseCounter: owner ? 3 : 0, ...(owner ? { leaseOwner: owner } : {}), ...extra });

function plan(leases: Lease[], workers: string[], expired: number[] = [], cap = Number.POSITIVE_INFINITY) {
  return planFleet({ leases, workers, expired: new Set(expired.map(key)), maxLeasesForWorker: cap });
}

function after(leases: Lease[], p: ReturnType<typeof plan>): Record<string, number> {
  const owner = new Map(leases.map((l) => [l.leaseKey, l.leaseOwner]));
  for (const a of p.assignments) owner.set(a.lease.leaseKey, a.to);
  for (const h of p.handoffs) owner.set(h.lease.leaseKey, h.to);
  const counts: Record<string, number> = {};
  for (const l of leases) {
    if (l.checkpoint.sequenceNumber === "SHARD_END") continue;
    const o = owner.get(l.leaseKey) ?? "-";
    counts[o] = (counts[o] ?? 0) + 1;
  }
  return counts;
}

describe("fleet plan", () => {
  test("a balanced fleet: nothing to do", () => {
    const leases = [owned(0, "A"), owned(1, "B"), owned(2, "A"), owned(3, "B"), owned(4, "C")];
    const p = plan(leases, ["A", "B", "C"]);
    expect(p.assignments).toEqual([]);
    expect(p.handoffs).toEqual([]);
    expect(p.counts).toEqual({ A: 2, B: 2, C: 1 });
  });

  test("unowned leases (new shards) are spread over the least-loaded workers", () => {
    const leases = [owned(0, "A"), owned(1, "A"), owned(2), owned(3), owned(4)];
    const p = plan(leases, ["A", "B"]);
    expect(p.assignments.map((a) => [a.lease.leaseKey, a.to, a.how])).toEqual([
      [key(2), "B", "unowned"],
      [key(3), "B", "unowned"],
      [key(4), "A", "unowned"],
    ]);
    expect(p.handoffs).toEqual([]);
  });

  test("a dead worker's expired leases are all assigned in one pass to the survivors, evenly", () => {
    const leases = Array.from({ length: 12 }, (_, i) => owned(i, ["A", "B", "C"][i % 3]!));
    const dead = leases.filter((l) => l.leaseOwner === "C").map((_, i) => 3 * i + 2);
    const p = plan(leases, ["A", "B"], dead);
    expect(p.assignments).toHaveLength(4);
    expect(p.assignments.every((a) => a.how === "expired" && a.previousOwner === "C")).toBe(true);
    expect(after(leases, p)).toEqual({ A: 6, B: 6 });
  });

  test("a new worker is balanced to within one lease in a single plan, by graceful handoffs", () => {
    const leases = Array.from({ length: 100 }, (_, i) => owned(i, i % 2 ? "A" : "B"));
    const p = plan(leases, ["A", "B", "C"]);
    expect(p.assignments).toEqual([]);
    expect(p.handoffs).toHaveLength(33);
    expect(p.handoffs.every((h) => h.to === "C" && h.lease.leaseOwner === h.from)).toBe(true);
    const counts = after(leases, p);
    expect(Math.max(...Object.values(counts)) - Math.min(...Object.values(counts))).toBeLessThanOrEqual(1);
    expect(p.counts).toEqual(counts);
  });

  test("finished (SHARD_END) leases are never assigned or moved, and do not count", () => {
    const end = { checkpoint: { sequenceNumber: "SHARD_END", subSequenceNumber: 0 } };
    const leases = [
      owned(0, "A", end),
      owned(1, undefined, end),
      owned(2, "A"),
      owned(3, "A"),
      owned(4, "A"),
    ];
    const p = plan(leases, ["A", "B"]);
    expect(p.assignments).toEqual([]);
    expect(p.handoffs.map((h) => h.lease.leaseKey)).toEqual([key(4)]);
    expect(p.counts).toEqual({ A: 2, B: 1 });
  });

  test("a lease in handoff counts for its next owner and is not moved again; a timed-out one is reassigned", () => {
    const leases = [owned(0, "B", { checkpointOwner: "A" }), owned(1, "A"), owned(2, "A")];
    const p = plan(leases, ["A", "B"]);
    expect(p.handoffs).toEqual([]);
    expect(p.counts).toEqual({ A: 2, B: 1 });
    // Its handoff timed out (the old owner died mid-handoff): assigned directly.
    const q = plan(leases, ["A", "B"], [0]);
    expect(q.assignments.map((a) => [a.lease.leaseKey, a.to])).toEqual([[key(0), "B"]]);
  });

  test("leases in handoff are never moved to balance, even when their next owner is the most loaded", () => {
    const incoming = [0, 1, 2].map((i) => owned(i, "B", { checkpointOwner: "A" }));
    const p = plan([...incoming, owned(3, "B")], ["A", "B"]);
    expect(p.handoffs.map((h) => h.lease.leaseKey)).toEqual([key(3)]);
  });

  test("a live lease of a worker that may not receive leases is left alone until it expires", () => {
    const p = plan([owned(0, "silent"), owned(1, "A")], ["A", "B"]);
    expect(p.assignments).toEqual([]);
    expect(p.handoffs).toEqual([]);
    const q = plan([owned(0, "silent"), owned(1, "A")], ["A", "B"], [0]);
    expect(q.assignments.map((a) => [a.lease.leaseKey, a.to, a.previousOwner])).toEqual([
      [key(0), "B", "silent"],
    ]);
  });

  test("a worker given leases keeps one it already held (its renewal carries the assignment notice)", () => {
    // A holds s0; s1 and s2 expired (their owner died); C is idle. A, the only reachable worker, gets
    // both; s0 stays with A although A is then 3 ahead of C (the next round balances the new ones).
    const leases = [owned(0, "A"), owned(1, "dead"), owned(2, "dead")];
    const p = planFleet({
      leases,
      workers: ["A", "C"],
      expired: new Set([key(1), key(2)]),
      maxLeasesForWorker: Number.POSITIVE_INFINITY,
      reachable: new Set(["A"]),
    });
    expect(p.assignments.map((a) => a.to)).toEqual(["A", "A"]);
    expect(p.handoffs).toEqual([]);
    expect(p.counts).toEqual({ A: 3, C: 0 });
  });

  test("without a reachable worker with room, assignments go to the least-loaded worker", () => {
    const p = planFleet({
      leases: [owned(0, "A"), owned(1)],
      workers: ["A", "C"],
      expired: new Set(),
      maxLeasesForWorker: 1,
      reachable: new Set(["A"]),
    });
    expect(p.assignments.map((a) => a.to)).toEqual(["C"]);
  });

  test("maxLeasesForWorker caps every worker and reports the shortfall", () => {
    const leases = Array.from({ length: 5 }, (_, i) => owned(i));
    const p = plan(leases, ["A", "B"], [], 2);
    expect(p.assignments).toHaveLength(4);
    expect(p.capacityShortfall).toEqual({ leases: 5, capacity: 4 });
  });

  test("no live workers: nothing planned", () => {
    expect(plan([owned(0)], [])).toMatchObject({ assignments: [], handoffs: [] });
  });
});
