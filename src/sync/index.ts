// Sync: shard discovery, lineage (split/merge) and lease creation.
export {
  type ChildLeaseOptions,
  type ChildLeaseResult,
  createChildLeases,
  discoverChildShards,
} from "./children.ts";
export { newChildLease, newLease, parentsOf } from "./new-lease.ts";
export { type ExistingLease, planLeases } from "./plan.ts";
export { type SyncResult, type SyncShardsOptions, syncShards } from "./sync.ts";
