// Deterministic multi-worker lease simulation: N coordinators, each with its own FakeClock and seeded
// Random, sharing one MemoryLeaseStore; stepped in lockstep with invariants checked after every step.
import { resolveConfig } from "../config/resolve.ts";
import type { KclOptions, ResolvedConfig } from "../config/options.ts";
import { EventBus, type KclEvent } from "../core/events.ts";
import { type Random, seededRandom } from "../core/random.ts";
import { createLeaseCoordinator, type LeaseCoordinator } from "../leases/coordinator.ts";
import type { Lease } from "../leases/lease.ts";
import type { LeaseStore } from "../leases/store.ts";
import { FakeClock } from "./fake-clock.ts";
import { LeaseInvariants, RecordingLeaseStore } from "./lease-sim-invariants.ts";
import { MemoryLeaseStore } from "./memory-lease-store.ts";

export interface LeaseSimOptions {
  /** Everything random (shuffles, jitter, injected faults) derives from this: a seed replays exactly. */
  seed: number;
  /** Unowned leases created before the first step: shardId-000000000000, … */
  leases?: number;
  /** Overrides for the resolved config (failoverMs, takerIntervalMs, maxLeasesForWorker, …). */
  options?: Partial<KclOptions>;
  /** Simulated milliseconds per step (every clock advances this much, then invariants run). Default 100. */
  stepMs?: number;
  /** Wraps each worker's view of the shared store (e.g. a FaultyLeaseStore). */
  wrapStore?: (store: LeaseStore, workerId: string, random: Random) => LeaseStore;
  /** Per-worker clock origins (monotonic and wall): skew them by hours to prove nothing compares them. */
  clockFor?: (index: number) => { startMonotonic: number; wallStart: number };
  /** Max time a worker may keep holding a lease another worker owns. Default: one renew interval. */
  staleHoldMs?: number;
  /** Max time an active lease may stay unowned while some worker has capacity. Default: one taker round. */
  unownedMs?: number;
}

export type SimWorkerState = "running" | "leaving" | "left" | "crashed";

export interface SimWorker {
  readonly id: string;
  readonly clock: FakeClock;
  readonly origin: number;
  readonly events: EventBus;
  readonly coordinator: LeaseCoordinator;
  readonly store: RecordingLeaseStore;
  state: SimWorkerState;
  /** Every event this worker emitted, in order. */
  readonly log: KclEvent[];
  abort: AbortController;
  done: Promise<void>;
}

export class LeaseSim {
  readonly store = new MemoryLeaseStore({ table: "sim-leases" });
  readonly config: ResolvedConfig;
  readonly workers = new Map<string, SimWorker>();
  /** One line per event (worker-relative time, no wall clock): identical runs give identical traces. */
  readonly trace: string[] = [];
  /** Every event of every worker, in emission order. */
  readonly log: KclEvent[] = [];
  readonly stepMs: number;
  elapsed = 0;
  private readonly invariants: LeaseInvariants;

  constructor(readonly options: LeaseSimOptions) {
    this.config = resolveConfig({ app: "sim", stream: "sim", ...options.options });
    this.stepMs = options.stepMs ?? 100;
    for (let i = 0; i < (options.leases ?? 0); i++) this.store.put(newLease(shardId(i)));
    // Assigner mode: a new table comes with the owner index.
    if (this.config.leaseAssignment === "assigner") this.store.ownerIndex = true;
    this.invariants = new LeaseInvariants(this, {
      staleHoldMs: options.staleHoldMs ?? this.config.renewIntervalMs,
      unownedMs: options.unownedMs ?? this.config.takerIntervalMs,
    });
  }

  /**
   * Starts a worker now (its first taker round runs on the next step). `overrides` give this worker
   * its own options (e.g. another --lease-assignment than the fleet's: mixed-mode simulations).
   */
  addWorker(id: string, overrides?: Partial<KclOptions>): SimWorker {
    const index = this.workers.size;
    const origins = this.options.clockFor?.(index) ?? { startMonotonic: 0, wallStart: Date.UTC(2026, 0, 1) };
    const clock = new FakeClock(origins.startMonotonic, origins.wallStart);
    const random = seededRandom((this.options.seed * 7919 + index * 104_729) >>> 0);
    const recording = new RecordingLeaseStore(this.store, () => this.elapsed);
    const faults = seededRandom((this.options.seed * 31 + index * 1_000_003 + 17) >>> 0);
    const store = this.options.wrapStore?.(recording, id, faults) ?? recording;
    const events = new EventBus(id, () => clock.now());
    const coordinator = createLeaseCoordinator({
      store,
      workerId: id,
      config: overrides
        ? resolveConfig({ app: "sim", stream: "sim", ...this.options.options, ...overrides })
        : this.config,
      clock,
      random,
      events,
    });
    const abort = new AbortController();
    const log: KclEvent[] = [];
    const worker: SimWorker = {
      id,
      clock,
      origin: origins.startMonotonic,
      events,
      coordinator,
      store: recording,
      state: "running",
      log,
      abort,
      done: coordinator.run(abort.signal),
    };
    events.onAny((e) => {
      log.push(e);
      this.log.push(e);
      const { at: _at, workerId: _w, ...body } = e;
      this.trace.push(`${clock.monotonic() - worker.origin} ${id} ${JSON.stringify(body)}`);
    });
    this.workers.set(id, worker);
    this.invariants.workerAdded(worker);
    return worker;
  }

  /** The worker stops dead: no release, no more renewals (its clock stops too). */
  async crash(id: string): Promise<void> {
    const w = this.worker(id);
    w.state = "crashed";
    w.abort.abort();
    await w.done;
  }

  /** Graceful leave: stop taking, release every held lease, stop. Completes over the next steps. */
  leave(id: string): Promise<void> {
    const w = this.worker(id);
    w.state = "leaving";
    w.coordinator.stopTaking();
    const released = Promise.all(w.coordinator.heldLeases().map((l) => w.coordinator.release(l.leaseKey)));
    return released.then(async () => {
      w.abort.abort();
      // A run that ended in an error (a refusal) is still left gracefully: `done` reports that error.
      await w.done.catch(() => undefined);
      w.state = "left";
    });
  }

  /** Advances every live worker's clock by one step (in worker order), then checks every invariant. */
  async step(): Promise<void> {
    this.elapsed += this.stepMs;
    for (const w of this.workers.values()) {
      if (w.state === "running" || w.state === "leaving") await w.clock.advance(this.stepMs);
    }
    this.invariants.check();
  }

  async runFor(ms: number): Promise<void> {
    const until = this.elapsed + ms;
    while (this.elapsed < until) await this.step();
  }

  /** Steps until `done()` holds; returns the elapsed time. Throws (with the seed) after `limitMs`. */
  async runUntil(what: string, done: () => boolean, limitMs: number): Promise<number> {
    const until = this.elapsed + limitMs;
    while (!done()) {
      if (this.elapsed >= until) this.fail(`${what} did not happen within ${limitMs} ms`);
      await this.step();
    }
    return this.elapsed;
  }

  /** Active leases per owner in the store ("-" = unowned), keys sorted. */
  owners(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const l of this.store.snapshot()) {
      if (l.checkpoint.sequenceNumber === "SHARD_END") continue;
      const k = l.leaseOwner ?? "-";
      out[k] = (out[k] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Sorted per-owner counts, e.g. [3, 3, 2]. */
  distribution(): number[] {
    return Object.entries(this.owners())
      .filter(([k]) => k !== "-")
      .map(([, n]) => n)
      .sort((a, b) => b - a);
  }

  /** Events of every worker in emission order, optionally of one type. */
  events<T extends KclEvent["type"]>(type?: T): Extract<KclEvent, { type: T }>[] {
    return (type ? this.log.filter((e) => e.type === type) : this.log) as Extract<KclEvent, { type: T }>[];
  }

  worker(id: string): SimWorker {
    const w = this.workers.get(id);
    if (!w) throw new Error(`no simulated worker ${id}`);
    return w;
  }

  fail(message: string): never {
    const tail = this.trace.slice(-15).join("\n  ");
    throw new Error(
      `lease simulation seed ${this.options.seed} at t=${this.elapsed} ms: ${message}\n  last events:\n  ${tail}`,
    );
  }
}

export function shardId(i: number): string {
  return `shardId-${String(i).padStart(12, "0")}`;
}

export function newLease(leaseKey: string, overrides: Partial<Lease> = {}): Lease {
  return {
    leaseKey,
    leaseCounter: 0,
    checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    ...overrides,
  };
}
