// Builds the lease row for a shard as the Java KCL creates it: unowned, counter 0, parents and hash range.
import type { ChildShard, Shard } from "../kinesis/port.ts";
import type { Lease, Sentinel } from "../leases/lease.ts";

/** Parent ids of a shard (a merge has two: parent and adjacent parent). */
export function parentsOf(shard: Pick<Shard, "parentShardId" | "adjacentParentShardId">): string[] {
  return [shard.parentShardId, shard.adjacentParentShardId].filter((p): p is string => p !== undefined);
}

export function newLease(shard: Shard, checkpoint: Sentinel): Lease {
  return {
    leaseKey: shard.shardId,
    leaseCounter: 0,
    checkpoint: { sequenceNumber: checkpoint, subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: parentsOf(shard),
    childShardIds: [],
    hashKeyRange: { ...shard.hashKeyRange },
  };
}

/** A child learned at a parent's shard end always starts at TRIM_HORIZON (Java's ShutdownTask). */
export function newChildLease(child: ChildShard): Lease {
  return {
    leaseKey: child.shardId,
    leaseCounter: 0,
    checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [...child.parentShards],
    childShardIds: [],
    hashKeyRange: { ...child.hashKeyRange },
  };
}
