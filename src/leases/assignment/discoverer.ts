// The non-assigner side of assigner mode (KCL 3.x LeaseDiscoverer): learns which leases the assigner
// gave this worker (notices read back by its own renewals, and a periodic Query of the owner GSI as a
// backstop), confirms each with a consistent GetItem, and adopts those it owns with no handoff pending.
import type { Lease } from "../lease.ts";
import { isFinished, isInHandoff } from "../lease.ts";
import type { AssigningLeaseStore } from "../assignment-store.ts";

export interface DiscovererOptions {
  store: AssigningLeaseStore;
  workerId: string;
  heldKeys: () => ReadonlySet<string>;
  /** Start renewing `lease` (owned by this worker, no handoff pending). `from`: the handoff's old owner. */
  adopt: (lease: Lease, from: string | undefined) => void;
  taking: () => boolean;
}

export class LeaseDiscoverer {
  /** Keys to read (noticed or found in the index), with the old owner while a handoff is pending. */
  private readonly pending = new Map<string, string | undefined>();
  /** Finished leases still naming us (dropped locally after SHARD_END): not read again on every Query. */
  private readonly finished = new Set<string>();

  constructor(private readonly o: DiscovererOptions) {}

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Keys the assigner says are ours (an assignment notice, or the assigner itself initiated a handoff). */
  notice(keys: readonly string[]): void {
    const held = this.o.heldKeys();
    for (const k of keys) {
      if (!held.has(k) && !this.pending.has(k) && !this.finished.has(k)) this.pending.set(k, undefined);
    }
  }

  /** Owner-index Query: keys naming this worker that it does not hold (GSI reads are eventual: confirmed next). */
  async query(): Promise<void> {
    this.notice(await this.o.store.queryOwnerKeys(this.o.workerId));
  }

  /** Reads every pending key once; adopts, keeps waiting (handoff not yet transferred) or forgets it. Returns how many it adopted. */
  async check(): Promise<number> {
    let adopted = 0;
    for (const [key, from] of [...this.pending]) {
      if (!this.o.taking()) return adopted;
      if (this.o.heldKeys().has(key)) {
        this.pending.delete(key);
        continue;
      }
      const row = await this.o.store.getLease(key);
      if (row && isFinished(row)) this.finished.add(key);
      if (!row || row.leaseOwner !== this.o.workerId || isFinished(row)) this.pending.delete(key);
      else if (isInHandoff(row)) this.pending.set(key, row.checkpointOwner);
      else {
        this.pending.delete(key);
        this.o.adopt(row, from);
        adopted += 1;
      }
    }
    return adopted;
  }
}
