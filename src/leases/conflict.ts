// Classifies a failed conditional write from the item as it is now, identically for every store.
import type { Lease } from "./lease.ts";
import type { ConflictReason, Outcome } from "./store.ts";

/**
 * What a conditional write expected to find. `null` means "must be absent"; undefined: not checked.
 * Counter fencing (renew, checkpoint, take) and ownership fencing (KCL 3.x handoff) both fit.
 */
export interface Expectation {
  leaseCounter?: number;
  owner?: string | null;
  /** KCL 3.x: the old owner still allowed to checkpoint during a graceful handoff. */
  checkpointOwner?: string | null;
}

/** True when `current` satisfies the expectation (the write may apply). */
export function meets(current: Lease | undefined, expected: Expectation): current is Lease {
  if (!current) return false;
  if (expected.leaseCounter !== undefined && current.leaseCounter !== expected.leaseCounter) return false;
  if (expected.owner !== undefined && (current.leaseOwner ?? null) !== expected.owner) return false;
  if (
    expected.checkpointOwner !== undefined &&
    (current.checkpointOwner ?? null) !== expected.checkpointOwner
  )
    return false;
  return true;
}

/** The reason a write conditioned on `expected` did not apply to `current`. */
export function conflictReason(current: Lease | undefined, expected: Expectation): ConflictReason {
  if (!current) return "missing";
  if (expected.owner !== undefined && (current.leaseOwner ?? null) !== expected.owner)
    return "owner-mismatch";
  if (
    expected.checkpointOwner !== undefined &&
    (current.checkpointOwner ?? null) !== expected.checkpointOwner
  )
    return "owner-mismatch";
  return "counter-mismatch";
}

export function conflict<T>(current: Lease | undefined, expected: Expectation): Outcome<T> {
  const reason = conflictReason(current, expected);
  return current ? { ok: false, reason, current } : { ok: false, reason };
}

/**
 * Renew, checkpoint, release and transfer: fenced on the counter, the owner and the handoff state as
 * this worker holds them (an unowned lease cannot be renewed; a lease put in handoff since cannot be
 * renewed by its old owner until it adopts the handoff: Java's "checkpointOwner NOT exists" clause).
 */
export function heldBy(lease: Lease): Expectation {
  return {
    leaseCounter: lease.leaseCounter,
    owner: lease.leaseOwner ?? null,
    checkpointOwner: lease.checkpointOwner ?? null,
  };
}
