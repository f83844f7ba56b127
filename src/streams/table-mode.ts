// A lease table belongs to one mode: single-stream (plain shard-id keys) or multi-stream (Java
// multi-stream keys). A worker of the other mode refuses it at its first shard sync, before creating
// anything, since leases of both kinds for the same shards would have them read twice.
import { ConfigurationError } from "../core/errors.ts";
import type { LeaseStore } from "../leases/store.ts";
import { parseLeaseKey } from "./identity.ts";

/**
 * Once, before the first multi-stream sync: a table holding plain shard-id leases belongs to a
 * single-stream app. Consuming it in multi-stream mode would read those shards again from the new
 * keys' start while the old leases are consumed too; switching modes needs a new table (as in Java).
 */
export async function refuseSingleStreamLeases(store: Pick<LeaseStore, "listLeases">, table: string) {
  const plain = (await store.listLeases()).filter((l) => !parseLeaseKey(l.leaseKey).stream);
  if (plain.length === 0) return;
  throw new ConfigurationError(
    `lease table "${table}" holds ${plain.length} single-stream lease(s) (e.g. ${plain[0]!.leaseKey}), but this worker consumes several streams (multi-stream lease keys account:stream:epoch:shardId). Give the multi-stream app its own --app/--table; the single-stream leases are not migrated.`,
    { option: "stream", table, leaseKey: plain[0]!.leaseKey },
  );
}

/**
 * Once, before the first single-stream sync: multi-stream leases in the table mean it belongs to a
 * multi-stream app; plain leases created beside them would have the same shards read twice.
 */
export async function refuseMultiStreamLeases(store: Pick<LeaseStore, "listLeases">, table: string) {
  const multi = (await store.listLeases()).filter((l) => parseLeaseKey(l.leaseKey).stream);
  if (multi.length === 0) return;
  throw new ConfigurationError(
    `lease table "${table}" holds ${multi.length} multi-stream lease(s) (e.g. ${multi[0]!.leaseKey}), but this worker consumes one stream (plain shard-id lease keys). Pass every stream of that app (--stream repeated), or give this app its own --app/--table.`,
    { option: "stream", table, leaseKey: multi[0]!.leaseKey },
  );
}
