// A LeaseStore wrapper that bills every call as DynamoDB would (DynamoDbMeter), with the item sizes of
// the rows kcl-ts really writes (leaseToItem), the read consistency DynamoDbLeaseStore really asks for,
// and optionally the writes of a KEYS_ONLY index on leaseOwner (the Java KCL 3.x GSI).
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

export class MeteredLeaseStore implements LeaseStore {
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
