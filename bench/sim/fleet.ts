// The scale simulation's fleet: W real lease coordinators (renewer, taker, expiry observer, planner; or
// in assigner mode the elected assigner, owner-index discovery and worker rows) plus each worker's real
// periodic shard sync (assigner mode: the assigner's only), each on its own FakeClock and metered store,
// over one shared in-memory lease table (shared frozen rows: scans copy nothing). Deterministic per seed.
import type { LeaseAssignment } from "../../src/config/options.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import { runPeriodically } from "../../src/coordinator/loops.ts";
import { EventBus } from "../../src/core/events.ts";
import { type Random, randomInt, seededRandom, shuffled } from "../../src/core/random.ts";
import { createLeaseCoordinator, type LeaseCoordinator } from "../../src/leases/coordinator.ts";
import { isFinished, type Lease } from "../../src/leases/lease.ts";
import { syncShards } from "../../src/sync/sync.ts";
import { DynamoDbMeter } from "../../src/testing/dynamodb-meter.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { FakeKinesis } from "../../src/testing/fake-kinesis.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";
import { MeteredLeaseStore } from "../../src/testing/metered-lease-store.ts";

export interface FleetOptions {
  shards: number;
  seed: number;
  /** Simulated ms per step: every live worker's clock advances this much in turn. Default 250. */
  stepMs?: number;
  failoverMs?: number;
  /** taker (default) or assigner. */
  leaseAssignment?: LeaseAssignment;
  /** Assigner mode cadences (defaults: the engine's). */
  assignerIntervalMs?: number;
  assignerScanMs?: number;
  ownerQueryMs?: number;
}

export interface SimWorker {
  id: string;
  clock: FakeClock;
  meter: DynamoDbMeter;
  abort: AbortController;
  done: Promise<unknown>;
  coordinator: LeaseCoordinator;
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
  /** SIM_DEBUG only: lease key → when an observer reported it expired. */
  readonly expiredAt = new Map<string, number>();

  constructor(readonly o: FleetOptions) {
    this.config = resolveConfig({
      app: "scale-sim",
      stream: STREAM,
      failoverMs: o.failoverMs ?? 10_000,
      leaseAssignment: o.leaseAssignment,
      assignerIntervalMs: o.assignerIntervalMs,
      assignerScanMs: o.assignerScanMs,
      ownerQueryMs: o.ownerQueryMs,
    });
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
    const assigner = this.config.leaseAssignment === "assigner";
    if (assigner) this.table.ownerIndex = true; // created with the table, as a new kcl-ts table is
    // Assigner mode pays for the owner index: one index write per owner change (KEYS_ONLY).
    const store = new MeteredLeaseStore(this.table, meter, { ownerIndex: assigner });
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
    // The first acquisition counts (a later balancing move of the same lease is not its takeover).
    events.on("lease-acquired", (e) => {
      if (!this.acquiredAt.has(e.leaseKey)) this.acquiredAt.set(e.leaseKey, clock.monotonic());
    });
    // SIM_DEBUG=1: warnings on stderr, and when observers saw each lease expire (worst-shard report).
    if (process.env.SIM_DEBUG) {
      events.on("warning", (e) => console.error(`${this.elapsed} ${id}: ${e.message}`));
      events.on("lease-expired-observed", (e) => this.expiredAt.set(e.leaseKey, clock.monotonic()));
    }
    const abort = new AbortController();
    const sync = runPeriodically(
      { name: "shard sync", intervalMs: this.config.shardSyncMs, clock, events, signal: abort.signal },
      async () => {
        // Assigner mode: only the elected assigner syncs shards (the engine's worker does the same).
        if (coordinator.isAssigner?.() === false) return;
        await syncShards({
          kinesis: this.kinesis,
          store,
          stream: STREAM,
          initialPosition: "TRIM_HORIZON",
          events,
          clock,
        });
      },
    );
    const done = Promise.all([coordinator.run(abort.signal), sync]);
    const worker = { id, clock, meter, abort, done, coordinator };
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

  /** Every live worker within one lease of every other, and no graceful handoff still in progress. */
  balanced(): boolean {
    if (this.rows().some((l) => l.checkpointOwner !== undefined)) return false;
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
