// The default shard sync: adapts the sync layer (src/sync) to the worker's ShardSyncPort.
import { DependencyError } from "../core/errors.ts";
import { createChildLeases, discoverChildShards, syncShards } from "../sync/index.ts";
import type { ShardSyncFactory } from "./types.ts";

export const defaultShardSync: ShardSyncFactory = (kinesis, store, { config, events, clock }) => ({
  async syncShards() {
    await syncShards({
      kinesis,
      store,
      stream: config.stream,
      initialPosition: config.initialPosition,
      events,
      clock,
    });
  },
  discoverChildShards: (shardId) => discoverChildShards(kinesis, config.stream, shardId),
  async createChildLeases(parentShardId, children) {
    // With kinesis given, a merge whose co-parent has no lease gets one first instead of blocking.
    const result = await createChildLeases(store, parentShardId, children, {
      kinesis,
      stream: config.stream,
    });
    if (result.blocked.length > 0) {
      const first = result.blocked[0]!;
      throw new DependencyError(
        `cannot create child lease ${first.shardId} of ${parentShardId} yet: parent lease(s) ${first.missingParents.join(", ")} missing. Retrying.`,
        "unreachable",
        { shardId: parentShardId, stream: config.stream },
      );
    }
    return result.created;
  },
});
