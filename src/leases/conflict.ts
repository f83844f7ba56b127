// Classifies a failed conditional write from the item as it is now, identically for every store.
import type { Lease } from "./lease.ts";
import type { ConflictReason, Outcome } from "./store.ts";

/** What a fenced write expected to find. `owner: null` means "must be unowned"; undefined: not checked. */
export interface Expectation {
  leaseCounter: number;
  owner?: string | null;
}

/** True when `current` satisfies the expectation (the write may apply). */
export function meets(current: Lease | undefined, expected: Expectation): current is Lease {
  if (!current) return false;
  if (current.leaseCounter !== expected.leaseCounter) return false;
  if (expected.owner === undefined) return true;
  return (current.leaseOwner ?? null) === expected.owner;
}

/** The reason a write conditioned on `expected` did not apply to `current`. */
export function conflictReason(current: Lease | undefined, expected: Expectation): ConflictReason {
  if (!current) return "missing";
  if (expected.owner !== undefined && (current.leaseOwner ?? null) !== expected.owner)
    return "owner-mismatch";
  return "counter-mismatch";
}

export function conflict<T>(current: Lease | undefined, expected: Expectation): Outcome<T> {
  const reason = conflictReason(current, expected);
  return current ? { ok: false, reason, current } : { ok: false, reason };
}
