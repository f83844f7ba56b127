// Invariants of the lease simulation, checked after every step: counters never go back, a worker stops
// writing a lease once told it is lost, a lease taken from a worker is dropped by it within one renew
// interval, and no active lease stays unowned longer than one taker round while a worker has room.
import type { LeaderRow, WorkerRow } from "../leases/assignment-store.ts";
import type { Lease } from "../leases/lease.ts";
import type { CheckpointUpdate, LeaseStore, Outcome } from "../leases/store.ts";
import type { MemoryLeaseStore } from "./memory-lease-store.ts";

interface Sim {
  readonly store: MemoryLeaseStore;
  readonly stepMs: number;
  readonly elapsed: number;
  readonly config: { maxLeasesForWorker: number };
  readonly workers: ReadonlyMap<string, InvariantWorker>;
  fail(message: string): never;
}

interface InvariantWorker {
  readonly id: string;
  readonly state: string;
  readonly store: RecordingLeaseStore;
  readonly coordinator: { heldLeases(): Lease[] };
  readonly events: {
    on(type: "lease-lost" | "lease-acquired", l: (e: { leaseKey: string }) => void): unknown;
  };
}

type JournalEntry =
  | { kind: "write"; worker: string; op: string; leaseKey: string; t: number }
  | { kind: "lost"; worker: string; leaseKey: string; t: number }
  | { kind: "acquired"; worker: string; leaseKey: string; t: number };

/** Forwards to the shared store and journals every fenced write that reached it. */
export class RecordingLeaseStore implements LeaseStore {
  journal?: (op: string, leaseKey: string) => void;

  constructor(
    readonly inner: MemoryLeaseStore,
    private readonly now: () => number,
  ) {}

  ensureTable = () => this.inner.ensureTable();
  assertTableExists = () => this.inner.assertTableExists();
  listLeases = () => this.inner.listLeases();
  getLease = (leaseKey: string) => this.inner.getLease(leaseKey);
  createLeaseIfNotExists = (lease: Lease) => this.inner.createLeaseIfNotExists(lease);
  takeLease = (lease: Lease, newOwner: string) => this.inner.takeLease(lease, newOwner);
  addChildShardIds = (leaseKey: string, ids: string[]) => this.inner.addChildShardIds(leaseKey, ids);
  deleteLease = (leaseKey: string) => this.inner.deleteLease(leaseKey);
  initiateHandoff = (lease: Lease, nextOwner: string) => this.inner.initiateHandoff(lease, nextOwner);
  // Assigner mode (AssignmentStore): not fenced lease writes, forwarded unrecorded.
  ensureOwnerIndex = () => this.inner.ensureOwnerIndex();
  scanTable = () => this.inner.scanTable();
  queryOwnerKeys = (owner: string) => this.inner.queryOwnerKeys(owner);
  getLeader = () => this.inner.getLeader();
  probeLease = (leaseKey: string) => this.inner.probeLease(leaseKey);
  writeLeader = (expected: LeaderRow | undefined, next: LeaderRow) => this.inner.writeLeader(expected, next);
  releaseLeader = (expected: LeaderRow) => this.inner.releaseLeader(expected);
  writeWorkerRow = (row: WorkerRow) => this.inner.writeWorkerRow(row);
  notifyAssigned = (holderLeaseKey: string, holder: string, keys: string[]) =>
    this.inner.notifyAssigned(holderLeaseKey, holder, keys);

  renewLease(lease: Lease): Promise<Outcome<Lease>> {
    this.journal?.("renewLease", lease.leaseKey);
    return this.inner.renewLease(lease);
  }
  releaseLease(lease: Lease): Promise<Outcome<Lease>> {
    this.journal?.("releaseLease", lease.leaseKey);
    return this.inner.releaseLease(lease);
  }
  updateCheckpoint(lease: Lease, update: CheckpointUpdate): Promise<Outcome<Lease>> {
    this.journal?.("updateCheckpoint", lease.leaseKey);
    return this.inner.updateCheckpoint(lease, update);
  }
  transferLease(lease: Lease): Promise<Outcome<Lease>> {
    this.journal?.("transferLease", lease.leaseKey);
    return this.inner.transferLease(lease);
  }
  recordResolvedStart(lease: Lease, startMillis: number): Promise<Outcome<Lease>> {
    this.journal?.("recordResolvedStart", lease.leaseKey);
    return this.inner.recordResolvedStart(lease, startMillis);
  }

  /** Simulated time of the call (for messages). */
  time(): number {
    return this.now();
  }
}

export class LeaseInvariants {
  private readonly journal: JournalEntry[] = [];
  private readonly counters = new Map<string, number>();
  private readonly staleSince = new Map<string, number>();
  private readonly unownedSince = new Map<string, number>();
  private readonly lost = new Set<string>();

  constructor(
    private readonly sim: Sim,
    private readonly limits: { staleHoldMs: number; unownedMs: number },
  ) {}

  workerAdded(w: InvariantWorker): void {
    w.store.journal = (op, leaseKey) =>
      this.journal.push({ kind: "write", worker: w.id, op, leaseKey, t: w.store.time() });
    for (const kind of ["lost", "acquired"] as const) {
      w.events.on(kind === "lost" ? "lease-lost" : "lease-acquired", (e) =>
        this.journal.push({ kind, worker: w.id, leaseKey: e.leaseKey, t: this.sim.elapsed }),
      );
    }
  }

  check(): void {
    this.checkJournal();
    const rows = this.sim.store.snapshot();
    this.checkCounters(rows);
    this.checkStaleHolds();
    this.checkUnowned(rows);
  }

  /** A worker told that it lost a lease never writes it again (until it acquires it anew). */
  private checkJournal(): void {
    for (const e of this.journal.splice(0)) {
      const key = `${e.worker}|${e.leaseKey}`;
      if (e.kind === "lost") this.lost.add(key);
      else if (e.kind === "acquired") this.lost.delete(key);
      else if (this.lost.has(key)) {
        this.sim.fail(
          `${e.worker} sent ${e.op} for ${e.leaseKey} at t=${e.t} after it was told the lease was lost`,
        );
      }
    }
  }

  private checkCounters(rows: Lease[]): void {
    for (const l of rows) {
      const before = this.counters.get(l.leaseKey);
      if (before !== undefined && l.leaseCounter < before) {
        this.sim.fail(`leaseCounter of ${l.leaseKey} went back from ${before} to ${l.leaseCounter}`);
      }
      this.counters.set(l.leaseKey, l.leaseCounter);
    }
  }

  /** A worker whose lease another worker took drops it within one renew interval. */
  private checkStaleHolds(): void {
    const seen = new Set<string>();
    for (const w of this.sim.workers.values()) {
      if (w.state !== "running" && w.state !== "leaving") continue;
      for (const held of w.coordinator.heldLeases()) {
        const row = this.sim.store.peek(held.leaseKey);
        const owner = row?.leaseOwner;
        // The old owner of a graceful handoff keeps the lease until it transfers it (bounded elsewhere).
        if (owner === w.id || row?.checkpointOwner === w.id) continue;
        const key = `${w.id}|${held.leaseKey}`;
        seen.add(key);
        const since = this.staleSince.get(key) ?? this.sim.elapsed - this.sim.stepMs;
        this.staleSince.set(key, since);
        if (this.sim.elapsed - since > this.limits.staleHoldMs + this.sim.stepMs) {
          this.sim.fail(
            `${w.id} still holds ${held.leaseKey} ${this.sim.elapsed - since} ms after ${owner ?? "nobody"} owns it ` +
              `(limit ${this.limits.staleHoldMs} ms)`,
          );
        }
      }
    }
    for (const key of this.staleSince.keys()) if (!seen.has(key)) this.staleSince.delete(key);
  }

  /** No active lease stays unowned longer than one taker round while some taking worker has room. */
  private checkUnowned(rows: Lease[]): void {
    const max = this.sim.config.maxLeasesForWorker;
    const room = [...this.sim.workers.values()].some(
      (w) => w.state === "running" && w.coordinator.heldLeases().length < max,
    );
    const unowned = new Set<string>();
    for (const l of rows) {
      if (l.leaseOwner !== undefined || l.checkpoint.sequenceNumber === "SHARD_END") continue;
      unowned.add(l.leaseKey);
      const since = room
        ? (this.unownedSince.get(l.leaseKey) ?? this.sim.elapsed - this.sim.stepMs)
        : this.sim.elapsed;
      this.unownedSince.set(l.leaseKey, since);
      if (this.sim.elapsed - since > this.limits.unownedMs + this.sim.stepMs) {
        this.sim.fail(`${l.leaseKey} unowned for ${this.sim.elapsed - since} ms while a worker had room`);
      }
    }
    for (const key of this.unownedSince.keys()) if (!unowned.has(key)) this.unownedSince.delete(key);
  }
}
