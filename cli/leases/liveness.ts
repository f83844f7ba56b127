// Whether a lease's owner is live, by the spec's expiry-by-local-observation rule: the leaseCounter is
// watched on this host for a window; an owner whose counter moved is live. No wall clock is compared.
import type { Lease } from "../../src/leases/lease.ts";
import type { LeaseStore } from "../../src/leases/store.ts";

export interface LivenessResult {
  /** The leases as read at the end of the window (what a conditional write must expect). */
  leases: Lease[];
  /** Lease keys whose owner renewed (or changed) during the window. */
  live: Set<string>;
}

/**
 * Reads the table, waits `windowMs` if any of `keys` has an owner, reads again. A live worker renews
 * every failoverMs/3, so a window of failoverMs (the default) cannot miss one; a shorter window
 * (--live-wait-ms) must still be longer than the fleet's renewal interval.
 */
export async function observeLiveness(
  store: LeaseStore,
  keys: Set<string>,
  windowMs: number,
  sleep: (ms: number) => Promise<void>,
  first?: Lease[],
): Promise<LivenessResult> {
  const before = first ?? (await store.listLeases());
  const owned = before.filter((l) => keys.has(l.leaseKey) && l.leaseOwner !== undefined);
  if (owned.length === 0) return { leases: before, live: new Set() };
  await sleep(windowMs);
  const after = await store.listLeases();
  const now = new Map(after.map((l) => [l.leaseKey, l]));
  const live = new Set<string>();
  for (const lease of owned) {
    const later = now.get(lease.leaseKey);
    if (
      later?.leaseOwner &&
      (later.leaseCounter !== lease.leaseCounter || later.leaseOwner !== lease.leaseOwner)
    )
      live.add(lease.leaseKey);
  }
  return { leases: after, live };
}
