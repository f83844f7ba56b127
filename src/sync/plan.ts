// PURE shard-sync planner: (all shards, existing leases, initial position) -> leases to create.
// Follows the Java KCL's HierarchicalShardSyncer (java-kcl-reference §4.2) for non-empty and empty
// tables alike (the full shard list gives what ListShards' ShardFilter would have), plus one repair:
// an unleased child whose parents are all finished (SHARD_END) or gone is created at TRIM_HORIZON,
// so a shard end that failed to create its children cannot wedge them forever (pain point #3).
import type { InitialPosition } from "../config/options.ts";
import type { Shard } from "../kinesis/port.ts";
import { isFinished, type Lease } from "../leases/lease.ts";
import { newLease, parentsOf } from "./new-lease.ts";

export type ExistingLease = Pick<Lease, "leaseKey" | "checkpoint">;

function isOpen(shard: Shard): boolean {
  return shard.endingSequenceNumber === undefined;
}

export function planLeases(shards: Shard[], existing: ExistingLease[], position: InitialPosition): Lease[] {
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  const leased = new Set(existing.map((l) => l.leaseKey));
  const finished = new Set(existing.filter(isFinished).map((l) => l.leaseKey));
  const fromOldest = position === "TRIM_HORIZON" || position === "AT_TIMESTAMP";
  const planned = new Map<string, Lease>();
  const descendantMemo = new Map<string, boolean>();
  /** Closed non-descendants to include when reading from the oldest data (TRIM_HORIZON/AT_TIMESTAMP). */
  const shouldCreate = new Set<string>();
  const knownParents = (s: Shard) => parentsOf(s).filter((p) => byId.has(p));

  /** Java's checkIfDescendantAndAddNewLeasesForAncestors: true when `id` descends from a leased shard. */
  function isDescendant(id: string): boolean {
    const memo = descendantMemo.get(id);
    if (memo !== undefined) return memo;
    const shard = byId.get(id);
    let result = false;
    if (shard && leased.has(id)) result = true;
    else if (shard) {
      const parents = knownParents(shard);
      const descendantParents = new Set<string>();
      for (const p of parents) {
        if (isDescendant(p) || shouldCreate.has(p)) descendantParents.add(p);
      }
      result = descendantParents.size > 0;
      if (result) {
        for (const p of parents) {
          if (leased.has(p)) continue;
          let lease = planned.get(p);
          // The oldest unleased level of the hierarchy gets a lease; a non-descendant co-parent of a
          // merge too (its sibling is covered by the table).
          if (!lease && (shouldCreate.has(p) || !descendantParents.has(p))) {
            lease = newLease(byId.get(p)!, position);
            planned.set(p, lease);
          }
          if (lease) {
            const checkpoint =
              descendantParents.has(p) && position !== "AT_TIMESTAMP" ? "TRIM_HORIZON" : position;
            lease.checkpoint = { sequenceNumber: checkpoint, subSequenceNumber: 0 };
          }
        }
      } else if (fromOldest) {
        shouldCreate.add(id);
      }
    }
    descendantMemo.set(id, result);
    return result;
  }

  // A child listed while its parent is still open (ListShards during a reshard): wait for the next sync.
  const inconsistent = (s: Shard) => knownParents(s).some((p) => isOpen(byId.get(p)!));

  for (const shard of shards) {
    if (!isOpen(shard) || leased.has(shard.shardId) || inconsistent(shard)) continue;
    if (!isDescendant(shard.shardId)) planned.set(shard.shardId, newLease(shard, position));
  }

  for (const shard of shards) {
    if (leased.has(shard.shardId) || planned.has(shard.shardId)) continue;
    const parents = parentsOf(shard);
    const done = (p: string) => finished.has(p) || (!leased.has(p) && !byId.has(p));
    if (parents.some((p) => finished.has(p)) && parents.every(done)) {
      planned.set(shard.shardId, newLease(shard, "TRIM_HORIZON"));
    }
  }

  // Parents before children: a crash half-way leaves a table the next sync completes correctly.
  return [...planned.values()].sort((a, b) => {
    const sa = BigInt(byId.get(a.leaseKey)!.startingSequenceNumber);
    const sb = BigInt(byId.get(b.leaseKey)!.startingSequenceNumber);
    return sa < sb ? -1 : sa > sb ? 1 : a.leaseKey.localeCompare(b.leaseKey);
  });
}
