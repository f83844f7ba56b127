// A LeaseStore wrapper that bills every call as DynamoDB would (DynamoDbMeter), with the item sizes of
// the rows kcl-ts really writes (leaseToItem), the read consistency DynamoDbLeaseStore really asks for,
// and optionally the writes of a KEYS_ONLY index on leaseOwner (the Java KCL 3.x GSI).
import {
  type AssigningLeaseStore,
  type AssignmentStore,
  LEADER_ENTITY,
  LEADER_KEY,
  type LeaderRow,
  supportsAssignment,
  type TableSnapshot,
  WORKER_ENTITY,
  type WorkerRow,
} from "../leases/assignment-store.ts";
import { leaseToItem } from "../leases/dynamodb-codec.ts";
import type { Lease } from "../leases/lease.ts";
import type { CheckpointUpdate, LeaseStore, Outcome } from "../leases/store.ts";
import { type DynamoDbMeter, itemSize } from "./dynamodb-meter.ts";

export interface MeteredLeaseStoreOptions {
  /** Scan with ConsistentRead (DynamoDbLeaseStore's consistentScan). Default false, as kcl-ts and Java do. */
  consistentScan?: boolean;
  /** Bill the KEYS_ONLY leaseOwner index: one index write per owner removed, one per owner set. */
  ownerIndex?: boolean;
}

/** Item sizes by row object: shared (immutable) rows are sized once, not on every scan. */
const sizes = new WeakMap<Lease, number>();

export function leaseItemSize(lease: Lease): number {
  let size = sizes.get(lease);
  if (size === undefined) {
    size = itemSize(leaseToItem(lease));
    sizes.set(lease, size);
  }
  return size;
}

/** Billed size of a worker row as kcl-ts writes it (leaseKey, entityType, lut). */
export function workerRowSize(row: WorkerRow): number {
  return itemSize({
    leaseKey: { S: row.workerId },
    entityType: { S: WORKER_ENTITY },
    lut: { N: String(row.lut) },
  });
}

/** Billed size of the leader row as kcl-ts writes it (the lock client's fields plus standby). */
export function leaderRowSize(row: LeaderRow): number {
  return itemSize({
    leaseKey: { S: LEADER_KEY },
    entityType: { S: LEADER_ENTITY },
    ownerName: { S: row.ownerName },
    leaseDuration: { S: String(row.leaseDuration) },
    recordVersionNumber: { S: row.recordVersionNumber },
    standby: { S: row.standby ?? "" },
  });
}

/** Size of one KEYS_ONLY owner-index entry: the index key (leaseOwner) and the table key (leaseKey). */
export function ownerIndexEntrySize(owner: string, leaseKey: string): number {
  return itemSize({ leaseOwner: { S: owner }, leaseKey: { S: leaseKey } });
}

export class MeteredLeaseStore implements LeaseStore, AssignmentStore {
  /** Last size seen per key: what a DeleteItem of that row is billed on. */
  private readonly lastSize = new Map<string, number>();

  constructor(
    private readonly inner: LeaseStore,
    readonly meter: DynamoDbMeter,
    private readonly options: MeteredLeaseStoreOptions = {},
  ) {}

  async ensureTable(): Promise<void> {
    this.meter.control("DescribeTable");
    return this.inner.ensureTable();
  }

  async assertTableExists(): Promise<void> {
    this.meter.control("DescribeTable");
    return this.inner.assertTableExists();
  }

  async listLeases(): Promise<Lease[]> {
    const leases = await this.inner.listLeases();
    this.meter.scan("Scan", sizesOf(leases), this.options.consistentScan ?? false);
    return leases;
  }

  async getLease(leaseKey: string): Promise<Lease | undefined> {
    const lease = await this.inner.getLease(leaseKey);
    // DynamoDbLeaseStore reads single leases with ConsistentRead (fencing decisions depend on them).
    this.meter.read("GetItem", lease ? this.seen(lease) : 0, true);
    return lease;
  }

  async createLeaseIfNotExists(lease: Lease): Promise<Outcome<Lease>> {
    const out = await this.inner.createLeaseIfNotExists(lease);
    this.bill("PutItem:create", lease, out);
    return out;
  }

  async renewLease(lease: Lease): Promise<Outcome<Lease>> {
    const out = await this.inner.renewLease(lease);
    this.bill("UpdateItem:renew", lease, out);
    return out;
  }

  async takeLease(lease: Lease, newOwner: string): Promise<Outcome<Lease>> {
    const out = await this.inner.takeLease(lease, newOwner);
    this.bill("UpdateItem:take", lease, out);
    return out;
  }

  async releaseLease(lease: Lease): Promise<Outcome<Lease>> {
    const out = await this.inner.releaseLease(lease);
    this.bill("UpdateItem:release", lease, out);
    return out;
  }

  async updateCheckpoint(lease: Lease, update: CheckpointUpdate): Promise<Outcome<Lease>> {
    const out = await this.inner.updateCheckpoint(lease, update);
    this.bill("UpdateItem:checkpoint", lease, out);
    return out;
  }

  async initiateHandoff(lease: Lease, nextOwner: string): Promise<Outcome<Lease>> {
    const out = await this.inner.initiateHandoff(lease, nextOwner);
    this.bill("UpdateItem:handoff", lease, out);
    return out;
  }

  async transferLease(lease: Lease): Promise<Outcome<Lease>> {
    const out = await this.inner.transferLease(lease);
    this.bill("UpdateItem:transfer", lease, out);
    return out;
  }

  async recordResolvedStart(lease: Lease, startMillis: number): Promise<Outcome<Lease>> {
    const out = await this.inner.recordResolvedStart(lease, startMillis);
    this.bill("UpdateItem:resolvedStart", lease, out);
    return out;
  }

  async addChildShardIds(leaseKey: string, childShardIds: string[]): Promise<Outcome<Lease>> {
    const out = await this.inner.addChildShardIds(leaseKey, childShardIds);
    const after = out.ok ? this.seen(out.value) : 0;
    this.meter.write("UpdateItem:childShardIds", Math.max(after, this.lastSize.get(leaseKey) ?? 0));
    return out;
  }

  async deleteLease(leaseKey: string): Promise<Outcome<void>> {
    const out = await this.inner.deleteLease(leaseKey);
    this.meter.write("DeleteItem", this.lastSize.get(leaseKey) ?? 0);
    if (out.ok && this.options.ownerIndex) this.meter.write("GSI:leaseOwner", 0);
    this.lastSize.delete(leaseKey);
    return out;
  }

  // ---- assigner mode: billed as DynamoDbLeaseStore's dynamodb-assignment.ts calls are ----

  private get assigning(): AssigningLeaseStore {
    if (!supportsAssignment(this.inner))
      throw new Error("the metered store wraps a store without assignment support");
    return this.inner;
  }

  async ensureOwnerIndex(): Promise<void> {
    this.meter.control("UpdateTable");
    return this.assigning.ensureOwnerIndex();
  }

  async scanTable(): Promise<TableSnapshot> {
    const snap = await this.assigning.scanTable();
    const sizes = [
      ...sizesOf(snap.leases),
      ...snap.workers.map(workerRowSize),
      ...(snap.leader ? [leaderRowSize(snap.leader)] : []),
    ];
    this.meter.scan("Scan", sizes, this.options.consistentScan ?? false);
    return snap;
  }

  async queryOwnerKeys(owner: string): Promise<string[]> {
    const keys = await this.assigning.queryOwnerKeys(owner);
    // An index Query is eventually consistent, billed on the index entries read (KEYS_ONLY: keys only).
    this.meter.scan(
      "Query:ownerIndex",
      keys.map((k) => ownerIndexEntrySize(owner, k)),
      false,
    );
    return keys;
  }

  async probeLease(leaseKey: string): Promise<Lease | undefined> {
    const lease = await this.assigning.probeLease(leaseKey);
    this.meter.read("GetItem:probe", lease ? this.seen(lease) : 0, false);
    return lease;
  }

  async getLeader(): Promise<LeaderRow | undefined> {
    const row = await this.assigning.getLeader();
    this.meter.read("GetItem:leader", row ? leaderRowSize(row) : 0, true);
    return row;
  }

  async writeLeader(expected: LeaderRow | undefined, next: LeaderRow): Promise<boolean> {
    const ok = await this.assigning.writeLeader(expected, next);
    this.meter.write(
      "UpdateItem:leader",
      Math.max(leaderRowSize(next), expected ? leaderRowSize(expected) : 0),
    );
    return ok;
  }

  async releaseLeader(expected: LeaderRow): Promise<boolean> {
    const ok = await this.assigning.releaseLeader(expected);
    this.meter.write("DeleteItem:leader", leaderRowSize(expected));
    return ok;
  }

  async writeWorkerRow(row: WorkerRow): Promise<void> {
    await this.assigning.writeWorkerRow(row);
    this.meter.write("UpdateItem:workerRow", workerRowSize(row));
  }

  async notifyAssigned(holderLeaseKey: string, holder: string, keys: string[]): Promise<boolean> {
    const ok = await this.assigning.notifyAssigned(holderLeaseKey, holder, keys);
    const before = this.lastSize.get(holderLeaseKey) ?? 0;
    const added = keys.reduce((n, k) => n + k.length, "assignedLeases".length);
    this.meter.write("UpdateItem:notice", before + added);
    return ok;
  }

  /**
   * A conditional write is billed on the larger of the item before and after (the caller's copy stands
   * for "before"), whether or not its condition held.
   */
  private bill(operation: string, sent: Lease, out: Outcome<Lease>): void {
    const after = out.ok ? out.value : out.current;
    this.meter.write(operation, Math.max(leaseItemSize(sent), after ? this.seen(after) : 0));
    if (!this.options.ownerIndex || !out.ok) return;
    // A KEYS_ONLY index on leaseOwner changes only when the owner does: delete the old entry, put the new.
    const before = sent.leaseOwner;
    if (before === out.value.leaseOwner) return;
    if (before !== undefined) this.meter.write("GSI:leaseOwner", 0);
    if (out.value.leaseOwner !== undefined) this.meter.write("GSI:leaseOwner", 0);
  }

  private seen(lease: Lease): number {
    const size = leaseItemSize(lease);
    this.lastSize.set(lease.leaseKey, size);
    return size;
  }
}

function* sizesOf(leases: readonly Lease[]): Iterable<number> {
  for (const lease of leases) yield leaseItemSize(lease);
}
