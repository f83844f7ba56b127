// The assigner mode's extra store operations (Java KCL 3.x compatible rows in the lease table): the
// leaseOwner GSI, the leader lock row and the per-worker liveness rows. Implemented by the DynamoDB
// store and the memory store; a store without them cannot run `--lease-assignment assigner`.
import type { Lease } from "./lease.ts";
import type { LeaseStore } from "./store.ts";

/** The KCL 3.x owner index: HASH leaseOwner (S), RANGE leaseKey (S), KEYS_ONLY. */
export const OWNER_INDEX = "LeaseOwnerToLeaseKeyIndex";
/** The KCL 3.x leader lock row's key and entityType. */
export const LEADER_KEY = "Leader";
export const LEADER_ENTITY = "LEADER";
/** The KCL 3.x worker metrics row's entityType (leaseKey = worker id, lut = epoch seconds). */
export const WORKER_ENTITY = "WORKER_METRIC_STATS";

/** The leader lock as the DynamoDB Lock Client stores it (ownerName, leaseDuration, recordVersionNumber). */
export interface LeaderRow {
  ownerName: string;
  /** Milliseconds without a new recordVersionNumber after which contenders may claim the lock. */
  leaseDuration: number;
  /** A fresh value on every heartbeat: observers judge liveness by it changing, never by time stamps. */
  recordVersionNumber: string;
  /** kcl-ts only: the worker the leader names to watch it closely and succeed it (others check rarely). */
  standby?: string;
}

/** A worker's liveness row: the last update in epoch seconds (3.x `lut`). */
export interface WorkerRow {
  workerId: string;
  lut: number;
}

/** One Scan of the whole table, every row kind. */
export interface TableSnapshot {
  leases: Lease[];
  workers: WorkerRow[];
  leader?: LeaderRow;
}

export interface AssignmentStore {
  /** Adds the owner GSI if missing (UpdateTable, as 3.x does) and waits until it is ACTIVE. */
  ensureOwnerIndex(): Promise<void>;
  /** Paginated Scan returning leases, worker rows and the leader row (other rows are skipped). */
  scanTable(): Promise<TableSnapshot>;
  /** Query of the owner GSI (eventually consistent): the keys whose leaseOwner is `owner`. */
  queryOwnerKeys(owner: string): Promise<string[]>;
  /** One lease by an eventually consistent GetItem (half a read unit): the assigner's liveness probe. */
  probeLease(leaseKey: string): Promise<Lease | undefined>;
  /** The leader row (consistent GetItem), undefined when absent. */
  getLeader(): Promise<LeaderRow | undefined>;
  /**
   * Writes the leader row: created if `expected` is undefined (the row must not exist), else replaced
   * on condition that its recordVersionNumber is still `expected`'s (claim and heartbeat alike).
   * False when another writer won.
   */
  writeLeader(expected: LeaderRow | undefined, next: LeaderRow): Promise<boolean>;
  /** Deletes the leader row if `expected` still holds it (a clean shutdown hands the role on at once). */
  releaseLeader(expected: LeaderRow): Promise<boolean>;
  /** Upserts this worker's liveness row (entityType WORKER_METRIC_STATS, lut in epoch seconds). */
  writeWorkerRow(row: WorkerRow): Promise<void>;
  /**
   * Tells `holder` (through one lease it holds) that `keys` were assigned to it: ADD to the lease's
   * assignedLeases set, on condition that `holder` still owns it; no counter change (no fencing impact).
   */
  notifyAssigned(holderLeaseKey: string, holder: string, keys: string[]): Promise<boolean>;
}

export type AssigningLeaseStore = LeaseStore & AssignmentStore;

export function supportsAssignment(store: LeaseStore): store is AssigningLeaseStore {
  const s = store as Partial<AssignmentStore>;
  return typeof s.scanTable === "function" && typeof s.queryOwnerKeys === "function";
}
