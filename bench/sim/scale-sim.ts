// The scale simulation's core: W real lease coordinators (renewer, taker, expiry observer) plus the
// real periodic shard sync, each on its own FakeClock and metered store, over one shared in-memory
// lease table of N leases. Measures a minute of steady state, a crash of 10 % of the workers and the
// arrival of 10 % more. Deterministic per seed: no wall clock, no Math.random.
import { resolveConfig } from "../../src/config/resolve.ts";
import { runPeriodically } from "../../src/coordinator/loops.ts";
import { EventBus } from "../../src/core/events.ts";
import { type Random, randomInt, seededRandom, shuffled } from "../../src/core/random.ts";
import { createLeaseCoordinator } from "../../src/leases/coordinator.ts";
import { isFinished, type Lease } from "../../src/leases/lease.ts";
import { syncShards } from "../../src/sync/sync.ts";
import { DynamoDbMeter, type OperationCost } from "../../src/testing/dynamodb-meter.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { FakeKinesis } from "../../src/testing/fake-kinesis.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";
import { leaseItemSize, MeteredLeaseStore } from "../../src/testing/metered-lease-store.ts";

export interface ScaleSimOptions {
  shards: number;
  workers: number;
  seed: number;
  /** Simulated ms per step: every live worker's clock advances this much in turn. Default 250. */
  stepMs?: number;
  failoverMs?: number;
  /** Steady-state window metered after the warm-up. Default 60 s (one shard sync per worker). */
  measureMs?: number;
  /** Give up waiting for balance after this much simulated time (balanceSeconds is then null). Default 120 s. */
  balanceLimitMs?: number;
}

interface SimWorker {
  id: string;
  clock: FakeClock;
  meter: DynamoDbMeter;
  abort: AbortController;
  done: Promise<unknown>;
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

const STREAM = "scale-sim";
const WALL_START = Date.UTC(2026, 0, 1);

export class ScaleSim {
  readonly table = new MemoryLeaseStore({ table: "scale-sim", shareRows: true });
  readonly config;
  readonly stepMs: number;
  readonly live = new Map<string, SimWorker>();
  elapsed = 0;
  private readonly kinesis = new FakeKinesis({ clock: new FakeClock(0, WALL_START) });
  private readonly random: Random;
  private created = 0;
  /** Lease key → simulated time it was last acquired (lease-acquired events of live workers). */
  readonly acquiredAt = new Map<string, number>();

  constructor(readonly o: ScaleSimOptions) {
    this.config = resolveConfig({ app: "scale-sim", stream: STREAM, failoverMs: o.failoverMs ?? 10_000 });
    this.stepMs = o.stepMs ?? 250;
    this.random = seededRandom(o.seed);
    this.kinesis.createStream(STREAM, o.shards);
  }

  /** Creates the leases with the real shard sync, then hands them out round-robin (a running fleet). */
  async seed(workerIds: string[]): Promise<void> {
    const clock = new FakeClock(0, WALL_START);
    const events = new EventBus("seed", () => clock.now());
    await syncShards({
      kinesis: this.kinesis,
      store: this.table,
      stream: STREAM,
      initialPosition: "TRIM_HORIZON",
      events,
      clock,
    });
    this.table.snapshot().forEach((lease, i) => {
      this.table.put({
        ...lease,
        leaseOwner: workerIds[i % workerIds.length],
        leaseCounter: 1 + randomInt(this.random, 10_000),
        checkpoint: { sequenceNumber: sequenceNumber(this.random), subSequenceNumber: 0 },
      });
    });
  }

  workerId(): string {
    const i = this.created++;
    return `ip-10-0-${i >> 8}-${i & 255}.ec2.internal-${1000 + i}-${suffix(this.random)}`;
  }

  /** Starts a worker whose clock reads the simulation's elapsed time. */
  start(id: string): SimWorker {
    const clock = new FakeClock(this.elapsed, WALL_START + this.elapsed);
    const meter = new DynamoDbMeter();
    const store = new MeteredLeaseStore(this.table, meter);
    const events = new EventBus(id, () => clock.now());
    const random = seededRandom((this.o.seed * 7919 + this.created * 104_729) >>> 0);
    const coordinator = createLeaseCoordinator({
      store,
      workerId: id,
      config: this.config,
      clock,
      random,
      events,
    });
    events.on("lease-acquired", (e) => this.acquiredAt.set(e.leaseKey, clock.monotonic()));
    const abort = new AbortController();
    const sync = runPeriodically(
      { name: "shard sync", intervalMs: this.config.shardSyncMs, clock, events, signal: abort.signal },
      () =>
        syncShards({
          kinesis: this.kinesis,
          store,
          stream: STREAM,
          initialPosition: "TRIM_HORIZON",
          events,
          clock,
        }),
    );
    const worker = { id, clock, meter, abort, done: Promise.all([coordinator.run(abort.signal), sync]) };
    this.live.set(id, worker);
    return worker;
  }

  /** The worker stops dead: no release, no more renewals. */
  async crash(id: string): Promise<void> {
    const w = this.live.get(id)!;
    this.live.delete(id);
    w.abort.abort();
    await w.done;
  }

  async step(): Promise<void> {
    this.elapsed += this.stepMs;
    for (const w of this.live.values()) await w.clock.advance(this.stepMs);
  }

  async runFor(ms: number): Promise<void> {
    const until = this.elapsed + ms;
    while (this.elapsed < until) await this.step();
  }

  /** Steps until `done()`; returns the simulated ms it took, or null past `limitMs`. */
  async runUntil(done: () => boolean, limitMs: number): Promise<number | null> {
    const start = this.elapsed;
    while (!done()) {
      if (this.elapsed - start >= limitMs) return null;
      await this.step();
    }
    return this.elapsed - start;
  }

  /** Active leases per live worker (owners that are not live are counted under "-"). */
  counts(): Map<string, number> {
    const counts = new Map<string, number>([...this.live.keys()].map((id) => [id, 0]));
    for (const lease of this.rows()) {
      if (isFinished(lease)) continue;
      const owner = lease.leaseOwner !== undefined && counts.has(lease.leaseOwner) ? lease.leaseOwner : "-";
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    return counts;
  }

  balanced(): boolean {
    const counts = this.counts();
    if (counts.has("-")) return false;
    const values = [...counts.values()];
    return Math.max(...values) - Math.min(...values) <= 1;
  }

  /** The table's frozen rows, without copying (shared-row mode) and without metering. */
  rows(): readonly Lease[] {
    return this.table.snapshot();
  }

  pick(n: number): string[] {
    return shuffled(this.random, [...this.live.keys()]).slice(0, n);
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.live.keys()]) await this.crash(id);
  }
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
  // Warm-up: every worker has scanned and re-adopted its leases (two taker rounds).
  await sim.runFor(2 * config.takerIntervalMs + sim.stepMs);
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

/** A Kinesis-like 56-digit sequence number (the size a real checkpoint has). */
function sequenceNumber(random: Random): string {
  let s = "49";
  while (s.length < 56) s += String(randomInt(random, 10));
  return s;
}

function suffix(random: Random): string {
  let s = "";
  for (let i = 0; i < 6; i++) s += "abcdefghijklmnopqrstuvwxyz0123456789"[randomInt(random, 36)];
  return s;
}
