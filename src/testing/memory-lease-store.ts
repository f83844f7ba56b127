// An in-memory LeaseStore with the same conditional semantics as the DynamoDB store (one contract
// suite runs against both). For simulations, the engine's own tests and plugin authors' tests.
import { DependencyError } from "../core/errors.ts";
import { conflict, type Expectation, heldBy, meets } from "../leases/conflict.ts";
import type { LeaderRow, TableSnapshot, WorkerRow } from "../leases/assignment-store.ts";
import type { Lease } from "../leases/lease.ts";
import type { CheckpointUpdate, LeaseStore, Outcome } from "../leases/store.ts";
import { MemoryLeaseRows } from "./memory-lease-rows.ts";

export interface MemoryLeaseStoreOptions {
  /** Table name used in error messages. Default "memory-leases". */
  table?: string;
  /** Whether the table exists before ensureTable() (default true: simulations skip that step). */
  tableExists?: boolean;
  /**
   * Scale simulations: rows are immutable (every write stores a new frozen row) and listLeases returns
   * them without copying, so a scan of 10,000 rows costs an array, not 10,000 deep clones. Callers that
   * mutate a scanned lease then throw instead of silently editing the table. Default false.
   */
  shareRows?: boolean;
}

/** Operation name -> number of calls (lets tests and benchmarks count store traffic). */
export type CallCounts = Record<string, number>;

export class MemoryLeaseStore implements LeaseStore {
  /** The lease rows, with their key order and owner index. */
  private readonly rows: MemoryLeaseRows;
  private readonly workerRows = new Map<string, WorkerRow>();
  private leader: LeaderRow | undefined;
  /** Whether the owner GSI exists (ensureOwnerIndex). Queries before it fail as DynamoDB's would. */
  ownerIndex = false;
  private exists: boolean;
  private readonly table: string;
  private readonly shared: boolean;
  readonly calls: CallCounts = {};

  constructor(options: MemoryLeaseStoreOptions = {}) {
    this.exists = options.tableExists ?? true;
    this.table = options.table ?? "memory-leases";
    this.shared = options.shareRows ?? false;
    this.rows = new MemoryLeaseRows(this.shared);
  }

  /** Synchronous read of one row (for invariant checks). */
  peek(leaseKey: string): Lease | undefined {
    const row = this.rows.get(leaseKey);
    return row ? structuredClone(row) : undefined;
  }

  /** Synchronous read of every row, in key order (for invariant checks). Shared rows are frozen, not copied. */
  snapshot(): Lease[] {
    if (this.shared) return this.rows.keys().map((k) => this.rows.get(k)!);
    return this.rows.keys().map((k) => structuredClone(this.rows.get(k)!));
  }

  /** Writes a row as-is, bypassing conditions (test setup, operator edits). */
  put(lease: Lease): void {
    this.rows.set(structuredClone(lease));
  }

  async ensureTable(): Promise<void> {
    this.count("ensureTable");
    this.exists = true;
  }

  async assertTableExists(): Promise<void> {
    this.count("assertTableExists");
    this.requireTable();
  }

  async listLeases(): Promise<Lease[]> {
    this.begin("listLeases");
    return this.snapshot();
  }

  async getLease(leaseKey: string): Promise<Lease | undefined> {
    this.begin("getLease");
    return this.peek(leaseKey);
  }

  async createLeaseIfNotExists(lease: Lease): Promise<Outcome<Lease>> {
    this.begin("createLeaseIfNotExists");
    const current = this.rows.get(lease.leaseKey);
    if (current) return { ok: false, reason: "exists", current: structuredClone(current) };
    const row = normalize(structuredClone(lease));
    this.rows.set(row);
    return { ok: true, value: structuredClone(row) };
  }

  async renewLease(lease: Lease): Promise<Outcome<Lease>> {
    this.begin("renewLease");
    return this.update(lease.leaseKey, heldBy(lease), (row) => {
      row.leaseCounter += 1;
      forgetNotices(row, lease.assignedLeases);
    });
  }

  async takeLease(lease: Lease, newOwner: string): Promise<Outcome<Lease>> {
    this.begin("takeLease");
    return this.update(lease.leaseKey, { leaseCounter: lease.leaseCounter }, (row) => {
      if (row.leaseOwner !== newOwner) row.ownerSwitchesSinceCheckpoint += 1;
      row.leaseCounter += 1;
      row.leaseOwner = newOwner;
      delete row.checkpointOwner;
    });
  }

  async releaseLease(lease: Lease): Promise<Outcome<Lease>> {
    this.begin("releaseLease");
    return this.update(lease.leaseKey, heldBy(lease), (row) => {
      row.leaseCounter += 1;
      delete row.leaseOwner;
      delete row.checkpointOwner;
    });
  }

  async updateCheckpoint(lease: Lease, update: CheckpointUpdate): Promise<Outcome<Lease>> {
    this.begin("updateCheckpoint");
    return this.update(lease.leaseKey, heldBy(lease), (row) => {
      row.leaseCounter += 1;
      row.checkpoint = { ...update.checkpoint };
      row.ownerSwitchesSinceCheckpoint = 0;
      forgetNotices(row, lease.assignedLeases);
      if (update.pendingCheckpoint === null) delete row.pendingCheckpoint;
      else if (update.pendingCheckpoint) row.pendingCheckpoint = { ...update.pendingCheckpoint };
    });
  }

  async initiateHandoff(lease: Lease, nextOwner: string): Promise<Outcome<Lease>> {
    this.begin("initiateHandoff");
    const current = lease.leaseOwner;
    if (!current) {
      const row = this.peek(lease.leaseKey);
      return row ? { ok: false, reason: "owner-mismatch", current: row } : { ok: false, reason: "missing" };
    }
    return this.update(lease.leaseKey, { owner: current, checkpointOwner: null }, (row) => {
      row.leaseOwner = nextOwner;
      row.checkpointOwner = current;
    });
  }

  async transferLease(lease: Lease): Promise<Outcome<Lease>> {
    this.begin("transferLease");
    return this.update(lease.leaseKey, heldBy(lease), (row) => {
      row.leaseCounter += 1;
      row.ownerSwitchesSinceCheckpoint += 1;
      delete row.checkpointOwner;
    });
  }

  async recordResolvedStart(lease: Lease, startMillis: number): Promise<Outcome<Lease>> {
    this.begin("recordResolvedStart");
    return this.update(lease.leaseKey, heldBy(lease), (row) => {
      row.leaseCounter += 1;
      row.resolvedStart = startMillis;
    });
  }

  async addChildShardIds(leaseKey: string, childShardIds: string[]): Promise<Outcome<Lease>> {
    this.begin("addChildShardIds");
    const current = this.rows.get(leaseKey);
    if (!current) return { ok: false, reason: "missing" };
    const row = this.shared ? structuredClone(current) : current;
    row.childShardIds = [...new Set([...row.childShardIds, ...childShardIds])].sort();
    this.rows.set(row);
    return { ok: true, value: structuredClone(row) };
  }

  async deleteLease(leaseKey: string): Promise<Outcome<void>> {
    this.begin("deleteLease");
    if (!this.rows.delete(leaseKey)) return { ok: false, reason: "missing" };
    return { ok: true, value: undefined };
  }

  // ---- assigner mode (AssignmentStore) ----

  async ensureOwnerIndex(): Promise<void> {
    this.count("ensureOwnerIndex");
    this.exists = true;
    this.ownerIndex = true;
  }

  async scanTable(): Promise<TableSnapshot> {
    this.begin("scanTable");
    const workers = [...this.workerRows.values()].map((w) => ({ ...w }));
    return { leases: this.snapshot(), workers, ...(this.leader ? { leader: { ...this.leader } } : {}) };
  }

  async queryOwnerKeys(owner: string): Promise<string[]> {
    this.begin("queryOwnerKeys");
    if (!this.ownerIndex) {
      throw new DependencyError(`Lease table ${this.table} has no owner index (in-memory store)`, "missing", {
        table: this.table,
      });
    }
    return this.rows.ownerKeys(owner);
  }

  async probeLease(leaseKey: string): Promise<Lease | undefined> {
    this.begin("probeLease");
    return this.peek(leaseKey);
  }

  async getLeader(): Promise<LeaderRow | undefined> {
    this.begin("getLeader");
    return this.leader && { ...this.leader };
  }

  async writeLeader(expected: LeaderRow | undefined, next: LeaderRow): Promise<boolean> {
    this.begin("writeLeader");
    const current = this.leader;
    if (
      expected === undefined
        ? current !== undefined
        : current?.recordVersionNumber !== expected.recordVersionNumber
    )
      return false;
    this.leader = { ...next };
    return true;
  }

  async releaseLeader(expected: LeaderRow): Promise<boolean> {
    this.begin("releaseLeader");
    if (this.leader?.recordVersionNumber !== expected.recordVersionNumber) return false;
    this.leader = undefined;
    return true;
  }

  async writeWorkerRow(row: WorkerRow): Promise<void> {
    this.begin("writeWorkerRow");
    if (this.rows.has(row.workerId)) return; // DynamoDB's condition: never over a lease row
    this.workerRows.set(row.workerId, { ...row });
  }

  async notifyAssigned(holderLeaseKey: string, holder: string, keys: string[]): Promise<boolean> {
    this.begin("notifyAssigned");
    const current = this.rows.get(holderLeaseKey);
    if (!current || current.leaseOwner !== holder) return false;
    const row = this.shared ? structuredClone(current) : current;
    row.assignedLeases = [...new Set([...(row.assignedLeases ?? []), ...keys])].sort();
    this.rows.set(row);
    return true;
  }

  /** Synchronous view of the worker rows and leader row (tests, simulations). */
  peekCoordination(): { workers: WorkerRow[]; leader?: LeaderRow } {
    return { workers: [...this.workerRows.values()], ...(this.leader ? { leader: this.leader } : {}) };
  }

  private update(leaseKey: string, expected: Expectation, mutate: (row: Lease) => void): Outcome<Lease> {
    const current = this.rows.get(leaseKey);
    if (!meets(current, expected)) return conflict(current ? structuredClone(current) : undefined, expected);
    const previousOwner = current.leaseOwner;
    const row = this.shared ? structuredClone(current) : current;
    mutate(row);
    this.rows.set(row, previousOwner);
    return { ok: true, value: structuredClone(row) };
  }

  private begin(operation: string): void {
    this.count(operation);
    this.requireTable();
  }

  private count(operation: string): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
  }

  private requireTable(): void {
    if (!this.exists) {
      throw new DependencyError(
        `Lease table ${this.table} does not exist (in-memory store). Call ensureTable() first.`,
        "missing",
        { table: this.table },
      );
    }
  }
}

/** The owner has read these assignment notices: DELETE them from the set, as DynamoDB does. */
function forgetNotices(row: Lease, seen: readonly string[] | undefined): void {
  if (!seen || !row.assignedLeases) return;
  const left = row.assignedLeases.filter((k) => !seen.includes(k));
  if (left.length > 0) row.assignedLeases = left;
  else delete row.assignedLeases;
}

/** Sets and owner as DynamoDB would store them: sorted unique sets, no empty owner. */
function normalize(lease: Lease): Lease {
  lease.parentShardIds = [...new Set(lease.parentShardIds)].sort();
  lease.childShardIds = [...new Set(lease.childShardIds)].sort();
  if (!lease.leaseOwner) delete lease.leaseOwner;
  return lease;
}
