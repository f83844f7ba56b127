// The operator port over a MemoryLeaseStore: same conditions as the DynamoDB implementation, for
// simulations and the operator-store contract suite.
import type { Lease } from "../leases/lease.ts";
import type { LeaseOperatorStore, LeaseReset } from "../leases/operator-store.ts";
import type { Outcome } from "../leases/store.ts";
import type { MemoryLeaseStore } from "./memory-lease-store.ts";

export class MemoryOperatorStore implements LeaseOperatorStore {
  private readonly drains = new Set<string>();

  constructor(private readonly leases: MemoryLeaseStore) {}

  async resetLease(lease: Lease, reset: LeaseReset): Promise<Outcome<Lease>> {
    const row = this.leases.peek(lease.leaseKey);
    if (!row) return { ok: false, reason: "missing" };
    if (row.leaseCounter !== lease.leaseCounter)
      return { ok: false, reason: "counter-mismatch", current: row };
    const next: Lease = { ...row, leaseCounter: row.leaseCounter + 1, ownerSwitchesSinceCheckpoint: 0 };
    next.checkpoint = { ...reset.checkpoint, subSequenceNumber: 0 };
    delete next.leaseOwner;
    delete next.checkpointOwner;
    delete next.pendingCheckpoint;
    if (reset.resolvedStart === undefined) delete next.resolvedStart;
    else next.resolvedStart = reset.resolvedStart;
    this.leases.put(next);
    return { ok: true, value: structuredClone(next) };
  }

  async requestDrain(workerId: string): Promise<void> {
    this.drains.add(workerId);
  }

  async drainRequested(workerId: string): Promise<boolean> {
    return this.drains.has(workerId);
  }

  async clearDrain(workerId: string): Promise<void> {
    this.drains.delete(workerId);
  }

  async listDrains(): Promise<string[]> {
    return [...this.drains].sort();
  }
}
