// The lease rows behind MemoryLeaseStore: a map kept with its key order and its owner index (the GSI
// assigner mode queries) in step with every write; rows are frozen when shared (scale simulations).
import type { Lease } from "../leases/lease.ts";

export class MemoryLeaseRows {
  private readonly rows = new Map<string, Lease>();
  /** The owner GSI (leaseOwner → keys). */
  private readonly byOwner = new Map<string, Set<string>>();
  /** Keys in order, rebuilt only when a key is added or deleted (not on every scan). */
  private sortedKeys: string[] | undefined;

  constructor(readonly shared: boolean) {}

  get(leaseKey: string): Lease | undefined {
    return this.rows.get(leaseKey);
  }

  has(leaseKey: string): boolean {
    return this.rows.has(leaseKey);
  }

  /**
   * Sets a row (frozen when rows are shared, so a scanned lease can never change under its reader).
   * `previousOwner`: the owner before an in-place mutation (unshared rows are edited in place).
   */
  set(row: Lease, ...previous: [owner: string | undefined] | []): void {
    const previousOwner = previous.length > 0 ? previous[0] : this.rows.get(row.leaseKey)?.leaseOwner;
    if (!this.rows.has(row.leaseKey)) this.sortedKeys = undefined;
    if (previousOwner !== row.leaseOwner) {
      this.unindex(row.leaseKey, previousOwner);
      if (row.leaseOwner !== undefined) {
        const keys = this.byOwner.get(row.leaseOwner) ?? new Set<string>();
        this.byOwner.set(row.leaseOwner, keys);
        keys.add(row.leaseKey);
      }
    }
    this.rows.set(row.leaseKey, this.shared ? deepFreeze(row) : row);
  }

  /** False when there was no such row. */
  delete(leaseKey: string): boolean {
    this.unindex(leaseKey, this.rows.get(leaseKey)?.leaseOwner);
    if (!this.rows.delete(leaseKey)) return false;
    this.sortedKeys = undefined;
    return true;
  }

  keys(): string[] {
    this.sortedKeys ??= [...this.rows.keys()].sort();
    return this.sortedKeys;
  }

  /** The keys the owner index lists for `owner`, sorted. */
  ownerKeys(owner: string): string[] {
    return [...(this.byOwner.get(owner) ?? [])].sort();
  }

  private unindex(leaseKey: string, owner: string | undefined): void {
    if (owner === undefined) return;
    const keys = this.byOwner.get(owner);
    keys?.delete(leaseKey);
    if (keys?.size === 0) this.byOwner.delete(owner);
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (v && typeof v === "object") deepFreeze(v);
  return Object.freeze(value);
}
