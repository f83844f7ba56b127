// One stream's leases in a multi-stream lease table, seen with bare shard ids as keys: the sync layer
// (planner, child creation) then runs unchanged per stream, and every row it creates carries the Java
// multi-stream key and the `streamName` / `shardId` attributes.
import type { Lease } from "../leases/lease.ts";
import type { LeaseStore, Outcome } from "../leases/store.ts";
import { multiStreamLeaseKey, parseLeaseKey, type StreamIdentity, serializeStream } from "./identity.ts";

/** What shard sync and child creation read and write. */
export type SyncLeaseStore = Pick<LeaseStore, "listLeases" | "getLease" | "createLeaseIfNotExists">;

function sameStream(a: StreamIdentity | undefined, b: StreamIdentity): boolean {
  return (
    a !== undefined && a.account === b.account && a.name === b.name && a.creationEpoch === b.creationEpoch
  );
}

/** A lease as the sync layer sees it: its key is the bare shard id. */
function toShardKeyed(lease: Lease, shardId: string): Lease {
  return { ...lease, leaseKey: shardId };
}

function mapOutcome(outcome: Outcome<Lease>, shardId: string): Outcome<Lease> {
  if (outcome.ok) return { ok: true, value: toShardKeyed(outcome.value, shardId) };
  return outcome.current ? { ...outcome, current: toShardKeyed(outcome.current, shardId) } : outcome;
}

export function streamLeaseView(store: SyncLeaseStore, stream: StreamIdentity): SyncLeaseStore {
  const streamName = serializeStream(stream);
  return {
    async listLeases() {
      const out: Lease[] = [];
      for (const lease of await store.listLeases()) {
        const parsed = parseLeaseKey(lease.leaseKey);
        if (sameStream(parsed.stream, stream)) out.push(toShardKeyed(lease, parsed.shardId));
      }
      return out;
    },
    async getLease(shardId) {
      const lease = await store.getLease(multiStreamLeaseKey(stream, shardId));
      return lease && toShardKeyed(lease, shardId);
    },
    async createLeaseIfNotExists(lease) {
      const shardId = lease.leaseKey;
      const row: Lease = { ...lease, leaseKey: multiStreamLeaseKey(stream, shardId), streamName, shardId };
      return mapOutcome(await store.createLeaseIfNotExists(row), shardId);
    },
  };
}
