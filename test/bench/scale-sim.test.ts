// The scale simulation (bench/sim): deterministic per seed, and metering the real coordinator's cadence.
import { describe, expect, test } from "bun:test";
import { javaKcl2, javaKcl3 } from "../../bench/sim/java-model.ts";
import { scaleReport } from "../../bench/sim/scale-report.ts";

const SMALL = { shards: 40, workers: 4, stepMs: 250, measureMs: 60_000, balanceLimitMs: 120_000 };

describe("npm run sim:scale", () => {
  test("the same seed gives the same report, call for call", async () => {
    const a = await scaleReport({ ...SMALL, seed: 7 });
    const b = await scaleReport({ ...SMALL, seed: 7 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    // The seed matters: another one ends with another assignment of leases to workers.
    const c = await scaleReport({ ...SMALL, seed: 8 });
    expect(c.ownershipDigest).not.toBe(a.ownershipDigest);
  }, 120_000);

  test("meters what the real coordinators do: a scan per worker per taker round and per shard sync, a renewal per lease per renew interval", async () => {
    const r = await scaleReport({ ...SMALL, seed: 3 });
    const scansPerWorker = 60_000 / r.takerIntervalMs + 60_000 / r.shardSyncMs;
    expect(r.byOperation.Scan?.calls).toBe(r.workers * scansPerWorker);
    // 40 items of ~330 B (13 KB): four 4 KB units at half price per eventually consistent scan.
    const unitsPerScan = Math.ceil((r.shards * r.leaseItemBytes) / 4096) / 2;
    expect(unitsPerScan).toBe(2);
    expect(r.byOperation.Scan?.readUnits).toBe(r.workers * scansPerWorker * unitsPerScan);
    const renewRounds = r.byOperation["UpdateItem:renew"]!.calls / r.shards;
    expect(Math.abs(renewRounds - 60_000 / r.renewIntervalMs)).toBeLessThan(1);
    // The crash of 10 % is taken over and the arrival of 10 % is balanced (liveness, not speed).
    expect(r.takeoverSeconds).not.toBeNull();
    expect(r.balanceSeconds).not.toBeNull();
    // The flattened fields the CLI's --json promises.
    for (const key of [
      "readUnitsPerMinute",
      "writeUnitsPerMinute",
      "javaKcl3ReadUnitsPerMinute",
      "javaKcl3WriteUnitsPerMinute",
      "failoverSeconds",
      "takeoverSeconds",
      "balanceSeconds",
    ] as const) {
      expect(typeof r[key]).toBe("number");
    }
  }, 120_000);
});

describe("npm run sim:scale -- --lease-assignment assigner", () => {
  const ASSIGNER = { ...SMALL, leaseAssignment: "assigner" as const };

  test("the same seed gives the same report, call for call", async () => {
    const a = await scaleReport({ ...ASSIGNER, seed: 7 });
    const b = await scaleReport({ ...ASSIGNER, seed: 7 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.leaseAssignment).toBe("assigner");
  }, 120_000);

  test("meters the assigner design: one table scan per assigner round for the fleet, owner-index queries, leader reads, no taker scans", async () => {
    // A full scan every round (no holder probes): --assigner-scan-ms equal to the assigner interval.
    const r = await scaleReport({ ...ASSIGNER, seed: 3, assignerScanMs: 2000 });
    // One worker scans (the assigner), every assignerIntervalMs; shard sync adds one scan a minute.
    const scans = r.byOperation.Scan!.calls;
    expect(scans).toBeGreaterThanOrEqual(60_000 / r.assignerIntervalMs);
    expect(scans).toBeLessThanOrEqual(60_000 / r.assignerIntervalMs + 2);
    // Workers holding leases learn of new ones from notices: their owner-index Query is a backstop every
    // 30 × ownerQueryMs (KEYS_ONLY entries: half a unit each); in this minute at most one each.
    const queries = r.byOperation["Query:ownerIndex"];
    expect(queries?.calls ?? 0).toBeLessThanOrEqual(r.workers);
    expect(queries?.readUnits ?? 0).toBe((queries?.calls ?? 0) * 0.5);
    // The leader heartbeats its row (the standby watches it through a lease; others read it every 2 min).
    expect(r.byOperation["UpdateItem:leader"]!.calls).toBeGreaterThan(0);
    expect(r.byOperation["UpdateItem:workerRow"]!.calls).toBe((r.workers * 60_000) / 30_000);
    // Renewals are those of the taker mode; reads are a fraction of it.
    const taker = await scaleReport({ ...SMALL, seed: 3 });
    expect(r.byOperation["UpdateItem:renew"]!.calls).toBe(taker.byOperation["UpdateItem:renew"]!.calls);
    expect(r.readUnitsPerMinute).toBeLessThan(taker.readUnitsPerMinute);
    expect(r.takeoverSeconds).not.toBeNull();
    expect(r.balanceSeconds).not.toBeNull();
  }, 120_000);

  test("by default, holder probes between full scans every 4 × failover: fewer reads, the same takeover target", async () => {
    const full = await scaleReport({ ...ASSIGNER, seed: 3, assignerScanMs: 2000 });
    const r = await scaleReport({ ...ASSIGNER, seed: 3 });
    expect(r.assignerScanMs).toBe(40_000);
    const probes = r.byOperation["GetItem:probe"]!;
    // One eventually consistent read (half a unit) per watched holder (the assigner's W − 1, and the
    // standby's one: the leader) after every second renewal, once phases are learned (+1 each for the
    // window's edges).
    expect(probes.readUnits).toBe(probes.calls * 0.5);
    const perHolder = 60_000 / (2 * r.renewIntervalMs);
    expect(probes.calls).toBeLessThanOrEqual(r.workers * Math.ceil(perHolder + 1));
    expect(probes.calls).toBeGreaterThanOrEqual((r.workers - 1) * Math.floor(perHolder));
    // Full scans: at most one in this minute (every 40 s), plus the assigner's shard sync once a minute.
    expect(r.byOperation.Scan!.calls).toBeLessThanOrEqual(2 + 1);
    expect(r.readUnitsPerMinute).toBeLessThan(full.readUnitsPerMinute);
    expect(r.takeoverSeconds).not.toBeNull();
    expect(r.balanceSeconds).not.toBeNull();
  }, 120_000);
});

describe("the Java KCL formulas beside it", () => {
  const m = { shards: 100, workers: 2, leaseItemBytes: 334, workerIdBytes: 36, failoverMs: 10_000 };

  test("2.x: renewals every failover/3 − 25 ms; a full Scan per worker every 20.05 s, per 5 min, and the auditor's", () => {
    const j = javaKcl2(m);
    // 100 × 334 B = 33,400 B: nine 4 KB units, eventually consistent: 4.5 read units per Scan.
    const scans = (2 * 60_000) / 20_050 + 2 / 5 + 0.5;
    expect(j.readUnitsPerMinute).toBeCloseTo(scans * 4.5, 6);
    // Java's interval is leaseDurationMillis / 3 − epsilonMillis in long arithmetic: 3,308 ms.
    expect(j.writeUnitsPerMinute).toBeCloseTo((100 * 60_000) / 3308, 6);
  });

  test("3.x: one leader scan per 2 × failover, KEYS_ONLY owner queries per worker, no GSI writes in steady state", () => {
    const j = javaKcl3(m);
    expect(j.terms.lamScan).toEqual([3, 3 * 4.5, 0]); // 33,400 + 2 × 500 B: still nine units
    expect(j.terms.ownerGsiQuery?.[1]).toBeCloseTo(((2 * 60_000) / 9_975) * 0.5, 6); // 50 keys ≈ 4 KB: one unit
    expect(Object.keys(j.terms).some((t) => t.includes("GSI") && !t.includes("Query"))).toBe(false);
    const faster = javaKcl3(m, { assignerScanMs: 2_000, ownerQueryMs: 2_000 });
    expect(faster.terms.lamScan).toEqual([30, 30 * 4.5, 0]);
  });
});
