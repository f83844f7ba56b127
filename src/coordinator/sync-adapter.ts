// The default shard sync: adapts the sync layer (src/sync) to the worker's ShardSyncPort. With several
// streams, each stream is synced through its own view of the table (src/streams), and shard-end calls
// are routed to the stream named in the lease key.
import { DependencyError } from "../core/errors.ts";
import type { KinesisPort } from "../kinesis/port.ts";
import type { WorkerTableStore } from "../leases/store.ts";
import {
  identityFromSummary,
  multiStreamLeaseKey,
  parseLeaseKey,
  type StreamIdentity,
} from "../streams/identity.ts";
import { type SyncLeaseStore, streamLeaseView } from "../streams/stream-leases.ts";
import { refuseMultiStreamLeases, refuseSingleStreamLeases } from "../streams/table-mode.ts";
import { createChildLeases, discoverChildShards, syncShards } from "../sync/index.ts";
import type { ShardSyncFactory, ShardSyncPort } from "./types.ts";

type Context = Parameters<ShardSyncFactory>[2];

/** Sync of one stream over `store` (the whole table, or one stream's view of it). */
function streamSync(
  kinesis: KinesisPort,
  store: SyncLeaseStore,
  stream: string,
  ctx: Context,
  leaseKeyOf?: (shardId: string) => string,
): ShardSyncPort {
  const { config, events, clock } = ctx;
  const initialPosition = config.initialPosition;
  const naming = leaseKeyOf ? { leaseKeyOf } : {};
  return {
    async syncShards() {
      await syncShards({ kinesis, store, stream, initialPosition, events, clock, ...naming });
    },
    discoverChildShards: (shardId) => discoverChildShards(kinesis, stream, parseLeaseKey(shardId).shardId),
    async createChildLeases(parentLeaseKey, children) {
      const parentShardId = parseLeaseKey(parentLeaseKey).shardId;
      // With kinesis given, a merge whose co-parent has no lease gets one first instead of blocking.
      const result = await createChildLeases(store, parentShardId, children, { kinesis, stream });
      if (result.blocked.length > 0) {
        const first = result.blocked[0]!;
        throw new DependencyError(
          `cannot create child lease ${first.shardId} of ${parentShardId} yet: parent lease(s) ${first.missingParents.join(", ")} missing. Retrying.`,
          "unreachable",
          { shardId: parentShardId, stream },
        );
      }
      return result.created;
    },
  };
}

/** Account and creation epoch of a stream (DescribeStreamSummary), asked once per stream and worker. */
function identities(kinesis: KinesisPort) {
  const known = new Map<string, Promise<StreamIdentity>>();
  return (stream: string): Promise<StreamIdentity> => {
    let found = known.get(stream);
    if (!found) {
      found = kinesis.describeStream(stream).then((summary) => {
        const id = identityFromSummary(stream, summary);
        if (!id) {
          throw new DependencyError(
            `stream "${stream}": DescribeStreamSummary gave no StreamARN / StreamCreationTimestamp, which multi-stream lease keys need (account:stream:epoch:shardId).`,
            "unreachable",
            { stream },
          );
        }
        return id;
      });
      // A failed look-up is asked again next time.
      found.catch(() => known.delete(stream));
      known.set(stream, found);
    }
    return found;
  };
}

function multiStreamSync(kinesis: KinesisPort, store: WorkerTableStore, ctx: Context): ShardSyncPort {
  const identity = identities(kinesis);
  const forStream = async (stream: string) => {
    const id = await identity(stream);
    // shard-sync events name the created leases by their table keys.
    const leaseKeyOf = (shardId: string) => multiStreamLeaseKey(id, shardId);
    return streamSync(kinesis, streamLeaseView(store, id), stream, ctx, leaseKeyOf);
  };
  /** The stream of a multi-stream lease key (a plain key in a multi-stream worker is a misconfiguration). */
  const forLease = (leaseKey: string) => {
    const { stream } = parseLeaseKey(leaseKey);
    if (!stream) {
      throw new DependencyError(
        `lease ${leaseKey} has no stream in its key, but this worker consumes several streams: one lease table must not be shared by single- and multi-stream workers.`,
        "missing",
        { leaseKey },
      );
    }
    return streamSync(kinesis, streamLeaseView(store, stream), stream.name, ctx);
  };
  let checked = false;
  return {
    async syncShards() {
      if (!checked) {
        await refuseSingleStreamLeases(store, ctx.config.table);
        checked = true;
      }
      for (const stream of ctx.config.streams) await (await forStream(stream)).syncShards();
    },
    discoverChildShards: async (leaseKey) => forLease(leaseKey).discoverChildShards(leaseKey),
    createChildLeases: async (leaseKey, children) => forLease(leaseKey).createChildLeases(leaseKey, children),
  };
}

function singleStreamSync(kinesis: KinesisPort, store: WorkerTableStore, ctx: Context): ShardSyncPort {
  const sync = streamSync(kinesis, store, ctx.config.stream, ctx);
  let checked = false;
  return {
    ...sync,
    async syncShards() {
      if (!checked) {
        await refuseMultiStreamLeases(store, ctx.config.table);
        checked = true;
      }
      await sync.syncShards();
    },
  };
}

export const defaultShardSync: ShardSyncFactory = (kinesis, store, ctx) =>
  ctx.config.streams.length > 1
    ? multiStreamSync(kinesis, store, ctx)
    : singleStreamSync(kinesis, store, ctx);
