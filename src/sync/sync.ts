// Shard sync: list every shard, plan the missing leases (plan.ts) and create them if absent. Safe with
// several workers syncing at once: a lease another worker created first is simply left alone.
import type { InitialPosition } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { KinesisPort, Shard } from "../kinesis/port.ts";
import type { LeaseStore } from "../leases/store.ts";
import { planLeases } from "./plan.ts";

export interface SyncShardsOptions {
  kinesis: KinesisPort;
  store: Pick<LeaseStore, "listLeases" | "createLeaseIfNotExists">;
  stream: string;
  initialPosition: InitialPosition;
  events: EventBus;
  clock: Clock;
  /** The table's key of a shard's lease, as events name it (multi-stream keys; default: the shard id). */
  leaseKeyOf?: (shardId: string) => string;
}

export interface SyncResult {
  /** Every shard ListShards returned (open and closed, within retention). */
  shards: Shard[];
  /** Lease keys this call created (another worker's creations are not counted), as `leaseKeyOf` names them. */
  created: string[];
}

export async function syncShards(o: SyncShardsOptions): Promise<SyncResult> {
  const startedAt = o.clock.monotonic();
  // The table first, then the shards: a finished parent deleted by lease cleanup while ListShards is in
  // flight is then still in `existing` (and left alone), never "a listed shard without a lease" that
  // the planner would create again and whose records would be processed a second time.
  const existing = await o.store.listLeases();
  const shards = await o.kinesis.listShards(o.stream);
  const created: string[] = [];
  for (const lease of planLeases(shards, existing, o.initialPosition)) {
    const outcome = await o.store.createLeaseIfNotExists(lease);
    if (outcome.ok) created.push(o.leaseKeyOf ? o.leaseKeyOf(lease.leaseKey) : lease.leaseKey);
  }
  o.events.emit({
    type: "shard-sync",
    shards: shards.length,
    leasesCreated: created,
    durationMs: Math.round(o.clock.monotonic() - startedAt),
  });
  return { shards, created };
}
