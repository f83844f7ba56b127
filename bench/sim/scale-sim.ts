// The scale simulation's scenario: a fleet (fleet.ts) of W workers on N leases; measures a minute of
// steady state, a crash of 10 % of the workers and the arrival of 10 % more. Deterministic per seed:
// no wall clock, no Math.random.
import type { OperationCost } from "../../src/testing/dynamodb-meter.ts";
import { leaseItemSize } from "../../src/testing/metered-lease-store.ts";
import { type FleetOptions, ScaleSim, type SimWorker } from "./fleet.ts";

export interface ScaleSimOptions extends FleetOptions {
  workers: number;
  /** Steady-state window metered after the warm-up. Default 60 s (one shard sync per worker). */
  measureMs?: number;
  /** Give up waiting for balance after this much simulated time (balanceSeconds is then null). Default 120 s. */
  balanceLimitMs?: number;
}

export interface WindowCost {
  callsPerMinute: number;
  readUnitsPerMinute: number;
  writeUnitsPerMinute: number;
}

export interface ScaleSimResult {
  shards: number;
  workers: number;
  seed: number;
  stepMs: number;
  failoverSeconds: number;
  renewIntervalMs: number;
  takerIntervalMs: number;
  shardSyncMs: number;
  leaseAssignment: string;
  assignerIntervalMs: number;
  assignerScanMs: number;
  ownerQueryMs: number;
  /** Mean billed size of one lease item (bytes), as kcl-ts writes it. */
  leaseItemBytes: number;
  fleet: WindowCost;
  /** Mean over workers, and the most expensive worker. */
  perWorker: WindowCost;
  maxWorker: WindowCost;
  /** Fleet calls / read units / write units per minute by operation. */
  byOperation: Record<string, OperationCost>;
  killed: number;
  /** Crash of `killed` workers → the last of their leases taken by a survivor (worst shard). */
  takeoverSeconds: number | null;
  added: number;
  /** Arrival of `added` workers → every live worker within one lease of every other (null: not by the limit). */
  balanceSeconds: number | null;
  balanceLimitSeconds: number;
  /** FNV-1a of every lease's final owner: equal runs end with equal tables, call for call. */
  ownershipDigest: string;
}

/** Runs the scenario: staggered start and warm-up, a metered minute, crash 10 %, add 10 %. */
export async function runScaleSim(o: ScaleSimOptions): Promise<ScaleSimResult> {
  const sim = new ScaleSim(o);
  const ids = Array.from({ length: o.workers }, () => sim.workerId());
  await sim.seed(ids);
  const config = sim.config;
  // Workers start spread evenly over one renew interval, as a fleet's processes do (and so a metered
  // window is not biased by every renewal round landing at the same instant).
  const workers: SimWorker[] = [];
  for (const [i, id] of ids.entries()) {
    const offset = Math.floor((i * config.renewIntervalMs) / ids.length / sim.stepMs) * sim.stepMs;
    while (sim.elapsed < offset) await sim.step();
    workers.push(sim.start(id));
  }
  // Warm-up: every worker has scanned and re-adopted its leases (two taker rounds); in assigner mode
  // also one full-scan interval, so the assigner has learned every holder's renewal phase and the
  // metered minute is the steady state the Java formulas describe.
  const warmUp =
    2 * config.takerIntervalMs + (config.leaseAssignment === "assigner" ? config.assignerScanMs : 0);
  await sim.runFor(warmUp + sim.stepMs);
  const before = workers.map((w) => w.meter.snapshot());
  const from = sim.elapsed;
  await sim.runFor(o.measureMs ?? 60_000);
  const measureMs = sim.elapsed - from;
  const windows = workers.map((w, i) => delta(before[i]!, w.meter.snapshot()));
  const perMinute = (c: OperationCost): WindowCost => ({
    callsPerMinute: (c.calls * 60_000) / measureMs,
    readUnitsPerMinute: (c.readUnits * 60_000) / measureMs,
    writeUnitsPerMinute: (c.writeUnits * 60_000) / measureMs,
  });
  const byOperation = merge(windows);
  const totals = windows.map(sum);
  const fleet = sum(byOperation);
  const costliest = totals.reduce((a, b) =>
    b.readUnits + b.writeUnits > a.readUnits + a.writeUnits ? b : a,
  );
  const rows = sim.rows();
  const leaseItemBytes = rows.reduce((s, l) => s + leaseItemSize(l), 0) / Math.max(1, rows.length);

  // Crash 10 % (at least one): the worst shard is the last of their leases a survivor acquires.
  const killed = Math.max(1, Math.round(o.workers / 10));
  const victims = new Set(sim.pick(killed));
  const orphans = rows
    .filter((l) => l.leaseOwner !== undefined && victims.has(l.leaseOwner))
    .map((l) => l.leaseKey);
  for (const id of victims) await sim.crash(id);
  const killedAt = sim.elapsed;
  for (const key of orphans) sim.acquiredAt.delete(key);
  const takeover = await sim.runUntil(
    () => orphans.every((k) => sim.acquiredAt.has(k)),
    20 * config.failoverMs,
  );
  if (process.env.SIM_DEBUG) {
    // The three orphans taken last (or never): when an observer saw them expire, when they were taken.
    const last = (k: string) => sim.acquiredAt.get(k) ?? Number.POSITIVE_INFINITY;
    for (const k of [...orphans].sort((a, b) => last(b) - last(a)).slice(0, 3)) {
      const row = sim.table.peek(k);
      console.error(
        `${k}: killed ${killedAt}, expiry seen ${sim.expiredAt.get(k)}, acquired ${sim.acquiredAt.get(k)}, owner now ${row?.leaseOwner}`,
      );
    }
  }
  const takeoverMs =
    takeover === null ? null : Math.max(...orphans.map((k) => sim.acquiredAt.get(k)! - killedAt));

  // Add 10 % (at least one), once the survivors are balanced (or after the same limit).
  const balanceLimitMs = o.balanceLimitMs ?? 120_000;
  await sim.runUntil(() => sim.balanced(), balanceLimitMs);
  const added = Math.max(1, Math.round(o.workers / 10));
  for (let i = 0; i < added; i++) sim.start(sim.workerId());
  const balanceMs = await sim.runUntil(() => sim.balanced(), balanceLimitMs);
  const ownershipDigest = fnv1a(
    sim
      .rows()
      .map((l) => `${l.leaseKey}=${l.leaseOwner}@${l.leaseCounter}`)
      .join(","),
  );
  await sim.stopAll();

  return {
    shards: o.shards,
    workers: o.workers,
    seed: o.seed,
    stepMs: sim.stepMs,
    failoverSeconds: config.failoverMs / 1000,
    renewIntervalMs: config.renewIntervalMs,
    takerIntervalMs: config.takerIntervalMs,
    shardSyncMs: config.shardSyncMs,
    leaseAssignment: config.leaseAssignment,
    assignerIntervalMs: config.assignerIntervalMs,
    assignerScanMs: config.assignerScanMs,
    ownerQueryMs: config.ownerQueryMs,
    leaseItemBytes: round(leaseItemBytes),
    fleet: perMinute(fleet),
    perWorker: perMinute({
      calls: fleet.calls / o.workers,
      readUnits: fleet.readUnits / o.workers,
      writeUnits: fleet.writeUnits / o.workers,
    }),
    maxWorker: perMinute(costliest),
    byOperation: Object.fromEntries(
      Object.entries(byOperation)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, c]) => [op, perMinuteCost(c, measureMs)]),
    ),
    killed,
    takeoverSeconds: takeoverMs === null ? null : takeoverMs / 1000,
    added,
    balanceSeconds: balanceMs === null ? null : balanceMs / 1000,
    balanceLimitSeconds: balanceLimitMs / 1000,
    ownershipDigest,
  };
}

function delta(
  a: Record<string, OperationCost>,
  b: Record<string, OperationCost>,
): Record<string, OperationCost> {
  const out: Record<string, OperationCost> = {};
  for (const [op, c] of Object.entries(b)) {
    const p = a[op] ?? { calls: 0, readUnits: 0, writeUnits: 0 };
    out[op] = {
      calls: c.calls - p.calls,
      readUnits: c.readUnits - p.readUnits,
      writeUnits: c.writeUnits - p.writeUnits,
    };
  }
  return out;
}

/** Adds per-operation costs of several workers. */
function merge(windows: readonly Record<string, OperationCost>[]): Record<string, OperationCost> {
  const out: Record<string, OperationCost> = {};
  for (const w of windows) {
    for (const [op, c] of Object.entries(w)) {
      const t = out[op] ?? { calls: 0, readUnits: 0, writeUnits: 0 };
      out[op] = {
        calls: t.calls + c.calls,
        readUnits: t.readUnits + c.readUnits,
        writeUnits: t.writeUnits + c.writeUnits,
      };
    }
  }
  return out;
}

function sum(costs: Record<string, OperationCost>): OperationCost {
  const t = { calls: 0, readUnits: 0, writeUnits: 0 };
  for (const c of Object.values(costs)) {
    t.calls += c.calls;
    t.readUnits += c.readUnits;
    t.writeUnits += c.writeUnits;
  }
  return t;
}

function perMinuteCost(c: OperationCost, ms: number): OperationCost {
  return {
    calls: round((c.calls * 60_000) / ms),
    readUnits: round((c.readUnits * 60_000) / ms),
    writeUnits: round((c.writeUnits * 60_000) / ms),
  };
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
