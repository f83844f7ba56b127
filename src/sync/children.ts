// Shard end: find the children of a finished shard and create their leases (create-if-absent), with
// the merge guard resolved instead of blocking (java-kcl-reference §4.3, pain point #3).
import type { ChildShard, KinesisPort, Shard } from "../kinesis/port.ts";
import type { LeaseStore } from "../leases/store.ts";
import { newChildLease, newLease, parentsOf } from "./new-lease.ts";

/** Children of `shardId` from ListShards: the fallback when GetRecords named none (kinesalite never does). */
export async function discoverChildShards(
  kinesis: KinesisPort,
  stream: string,
  shardId: string,
): Promise<ChildShard[]> {
  const shards = await kinesis.listShards(stream);
  return shards
    .filter((s) => s.parentShardId === shardId || s.adjacentParentShardId === shardId)
    .map((s) => ({ shardId: s.shardId, parentShards: parentsOf(s), hashKeyRange: { ...s.hashKeyRange } }));
}

export interface ChildLeaseOptions {
  /** With these, a merge whose other parent has no lease is resolved (see createChildLeases). */
  kinesis?: KinesisPort;
  stream?: string;
}

export interface ChildLeaseResult {
  /** Child lease keys this call created. */
  created: string[];
  /** Child leases that already existed (another worker, an earlier attempt). */
  existing: string[];
  /** Leases created for a merge's other parent that had none (see createChildLeases). */
  createdCoParents: string[];
  /** Merged children not created because a co-parent lease is missing and no kinesis was given. */
  blocked: { shardId: string; missingParents: string[] }[];
}

/**
 * Creates the leases of `children` of the finished shard `parentShardId` at TRIM_HORIZON.
 *
 * Merge guard: a merged child must not start before BOTH parents are done, and a missing parent lease
 * counts as done. So if the other parent has no lease, creating the child could let it overtake that
 * parent's data. The Java KCL then fails and retries forever if the lease never appears. Here, given
 * `kinesis`: when the other parent's shard still exists, its lease is created at TRIM_HORIZON first
 * (it waits on its own parents, if any, and is processed before the child); when the shard is gone
 * (trimmed), there is nothing to wait for. Without `kinesis`, such children are reported as blocked.
 */
export async function createChildLeases(
  store: Pick<LeaseStore, "getLease" | "createLeaseIfNotExists">,
  parentShardId: string,
  children: ChildShard[],
  options: ChildLeaseOptions = {},
): Promise<ChildLeaseResult> {
  const result: ChildLeaseResult = { created: [], existing: [], createdCoParents: [], blocked: [] };
  let shards: Map<string, Shard> | undefined;
  for (const child of children) {
    if (await store.getLease(child.shardId)) {
      result.existing.push(child.shardId);
      continue;
    }
    const missing: string[] = [];
    for (const p of child.parentShards) {
      if (p !== parentShardId && !(await store.getLease(p))) missing.push(p);
    }
    if (missing.length > 0) {
      if (!options.kinesis || options.stream === undefined) {
        result.blocked.push({ shardId: child.shardId, missingParents: missing });
        continue;
      }
      shards ??= new Map((await options.kinesis.listShards(options.stream)).map((s) => [s.shardId, s]));
      for (const p of missing) {
        const shard = shards.get(p);
        if (shard && (await store.createLeaseIfNotExists(newLease(shard, "TRIM_HORIZON"))).ok) {
          result.createdCoParents.push(p);
        }
      }
    }
    const outcome = await store.createLeaseIfNotExists(newChildLease(child));
    (outcome.ok ? result.created : result.existing).push(child.shardId);
  }
  return result;
}
