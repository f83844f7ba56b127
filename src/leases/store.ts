// The LeaseStore port: conditional lease operations. Lost races come back as values; faults
// (throttling, unreachable endpoint, missing table) are thrown as typed KclErrors.
import type { ExtendedSequenceNumber, Lease } from "./lease.ts";

/** Why a conditional write did not apply. */
export type ConflictReason = "counter-mismatch" | "owner-mismatch" | "missing" | "exists";

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: ConflictReason; current?: Lease };

export interface CheckpointUpdate {
  checkpoint: ExtendedSequenceNumber;
  /** Set: write pendingCheckpoint*; null: remove them; undefined: leave them. */
  pendingCheckpoint?: ExtendedSequenceNumber | null;
}

export interface LeaseStore {
  /** Creates the table if missing (on-demand, waits for ACTIVE); tolerates a concurrent creator. */
  ensureTable(): Promise<void>;
  /** Throws DependencyError (missing) if the table does not exist. Never creates it. */
  assertTableExists(): Promise<void>;
  /** Every lease row (paginated Scan; rows whose entityType is not LEASE are skipped). */
  listLeases(): Promise<Lease[]>;
  getLease(leaseKey: string): Promise<Lease | undefined>;
  /** PutItem conditioned on the key not existing; "exists" if another worker won. */
  createLeaseIfNotExists(lease: Lease): Promise<Outcome<Lease>>;
  /**
   * Heartbeat: counter+1, conditioned on counter, owner and checkpointOwner as `lease` has them (an old
   * owner in handoff renews with leaseOwner = next, checkpointOwner = itself).
   */
  renewLease(lease: Lease): Promise<Outcome<Lease>>;
  /** Take (unowned/expired/released) or steal: counter+1, owner := newOwner, conditioned on the counter. */
  takeLease(lease: Lease, newOwner: string): Promise<Outcome<Lease>>;
  /** Graceful release: counter+1, REMOVE leaseOwner, conditioned on owner and counter. */
  releaseLease(lease: Lease): Promise<Outcome<Lease>>;
  /** Checkpoint: counter+1, conditioned on owner and counter (fencing). */
  updateCheckpoint(lease: Lease, update: CheckpointUpdate): Promise<Outcome<Lease>>;
  /**
   * KCL 3.x initiate graceful handoff: leaseOwner := nextOwner, checkpointOwner := the current owner,
   * counter unchanged; conditioned on owner == lease.leaseOwner and no handoff in progress (ownership
   * fencing, so the owner's frequent renewals do not make it fail).
   */
  initiateHandoff(lease: Lease, nextOwner: string): Promise<Outcome<Lease>>;
  /**
   * KCL 3.x handoff completion by the old owner (`lease` as it holds it: leaseOwner = next,
   * checkpointOwner = itself): REMOVE checkpointOwner, counter+1, owner switch counted; conditioned on
   * counter, owner and checkpointOwner.
   */
  transferLease(lease: Lease): Promise<Outcome<Lease>>;
  /** Records the resolved start of a LATEST / AT_TIMESTAMP lease (`resolvedStart`): counter+1, fenced like a checkpoint. */
  recordResolvedStart(lease: Lease, startMillis: number): Promise<Outcome<Lease>>;
  /** Adds child shard ids (metadata, not fenced, does not bump the counter; Java does the same). */
  addChildShardIds(leaseKey: string, childShardIds: string[]): Promise<Outcome<Lease>>;
  /** Deletes a lease (finished parents after their children checkpointed). */
  deleteLease(leaseKey: string): Promise<Outcome<void>>;
}

/**
 * The lease-table calls a worker makes outside the renewer and taker: start-up table checks (in assigner
 * mode also the KCL 3.x owner index, which the stores implementing AssignmentStore and the lease thread's
 * remote store offer), shard sync, cleanup of finished leases. With the lease thread on, these go to the
 * thread's store by message.
 */
export type WorkerTableStore = Pick<
  LeaseStore,
  "ensureTable" | "assertTableExists" | "listLeases" | "getLease" | "createLeaseIfNotExists" | "deleteLease"
> & { ensureOwnerIndex?(): Promise<void> };
