// Deletes finished parent leases (Java LeaseCleanupManager rules): SHARD_END, every child lease exists
// and has checkpointed past its start, and the lease's own parents are already gone (lineage order).
import { describeError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { LeaseCoordinator } from "../leases/coordinator.ts";
import { isFinished, type Lease } from "../leases/lease.ts";
import type { LeaseStore } from "../leases/store.ts";
import { siblingLeaseKey } from "../streams/identity.ts";

const NOT_STARTED = new Set(["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]);

/** Lease keys that may be deleted now, judged from one table scan. Pure. */
export function finishedLeasesToDelete(
  leases: readonly Lease[],
  me: string,
  liveWorkers: readonly string[],
): string[] {
  const byKey = new Map(leases.map((l) => [l.leaseKey, l]));
  const live = new Set(liveWorkers);
  return leases
    .filter(
      (l) =>
        isFinished(l) &&
        // Never pull a row from under a live worker: it still renews it and would report it lost.
        (l.leaseOwner === undefined || l.leaseOwner === me || !live.has(l.leaseOwner)) &&
        // A missing child was never created (it cannot have been deleted before this parent): keep the parent.
        l.childShardIds.length > 0 &&
        l.childShardIds.every((id) => {
          // Children and parents are bare shard ids: their leases are in the same stream as this one.
          const child = byKey.get(siblingLeaseKey(l.leaseKey, id));
          return child !== undefined && !NOT_STARTED.has(child.checkpoint.sequenceNumber);
        }) &&
        l.parentShardIds.every((id) => !byKey.has(siblingLeaseKey(l.leaseKey, id))),
    )
    .map((l) => l.leaseKey);
}

export interface LeaseCleanupOptions {
  coordinator: Pick<LeaseCoordinator, "latestScan" | "getHeld" | "dropLocally">;
  store: Pick<LeaseStore, "deleteLease">;
  workerId: string;
  events: EventBus;
  /** A lease key whose consumer is still running is left alone until it has finished. */
  busy: (leaseKey: string) => boolean;
}

/** One cleanup round over the taker's latest scan; returns the keys deleted. */
export async function cleanupFinishedLeases(o: LeaseCleanupOptions): Promise<string[]> {
  const scan = o.coordinator.latestScan();
  if (!scan) return [];
  const deleted: string[] = [];
  for (const key of finishedLeasesToDelete(scan.leases, o.workerId, scan.liveWorkers)) {
    if (o.busy(key)) continue;
    // Stop renewing first, or the next renewal would find the row gone and report a lost lease.
    if (o.coordinator.getHeld(key)) o.coordinator.dropLocally(key);
    try {
      await o.store.deleteLease(key);
      deleted.push(key);
      o.events.emit({ type: "parent-lease-deleted", leaseKey: key });
    } catch (error) {
      o.events.emit({
        type: "warning",
        leaseKey: key,
        message: `could not delete finished lease ${key} (next round retries): ${describeError(error)}`,
      });
    }
  }
  return deleted;
}
