// The operator port: lease-table writes made by `kcl-ts leases reset|drain` and read by workers
// (reset checkpoints, drain requests). Conditional like the LeaseStore; lost races are values.
import type { ExtendedSequenceNumber, Lease } from "./lease.ts";
import type { Outcome } from "./store.ts";

export interface LeaseReset {
  /** The new checkpoint: a sentinel (TRIM_HORIZON, LATEST, AT_TIMESTAMP) or a sequence number. */
  checkpoint: ExtendedSequenceNumber;
  /**
   * Epoch ms the sentinel resolves to (`resolvedStartMillis`, the attribute issue 13's "no gap at
   * LATEST" rule records): required with AT_TIMESTAMP (read from exactly then); with LATEST a later
   * owner starts there (minus a clock margin) instead of at its own "now".
   */
  resolvedStart?: number;
}

/**
 * A drain request: a row beside the leases (`entityType` = DRAIN_ENTITY, so neither kcl-ts nor the
 * Java KCL 3.5 reads it as a lease) whose key names the worker that must hand its leases over.
 */
export const DRAIN_ENTITY = "KCL_TS_DRAIN";
export const DRAIN_KEY_PREFIX = "kcl-ts:drain:";

export function drainKey(workerId: string): string {
  return `${DRAIN_KEY_PREFIX}${workerId}`;
}

export interface LeaseOperatorStore {
  /**
   * Operator reset, conditioned only on `lease.leaseCounter` (the value the operator saw): counter+1,
   * leaseOwner and checkpointOwner removed (whoever held it is fenced: its next renewal or checkpoint
   * fails and it is told leaseLost), checkpoint set (sub-sequence 0), pending checkpoint removed,
   * ownerSwitchesSinceCheckpoint 0, resolvedStartMillis set or removed.
   */
  resetLease(lease: Lease, reset: LeaseReset): Promise<Outcome<Lease>>;
  /** Writes (or overwrites) the drain request for `workerId`. */
  requestDrain(workerId: string, requestedAt: string): Promise<void>;
  /** Whether a drain request for `workerId` exists (one GetItem). */
  drainRequested(workerId: string): Promise<boolean>;
  /** Removes the drain request (a worker does at start: a drain lasts until the worker restarts). */
  clearDrain(workerId: string): Promise<void>;
  /** Worker ids with a drain request (for `leases list` / `leases drain` reports). */
  listDrains(): Promise<string[]>;
}
