// Invariants for worker simulations, checked after every step and at the end of a scenario.
import { compareCheckpoints, type ExtendedSequenceNumber } from "../../../src/leases/lease.ts";
import type { Delivery, WorkerSim } from "./worker-sim.ts";

/** Per-step invariants: table checkpoints never go backwards; a processor outlives its lease only briefly. */
export function stepInvariants(sim: WorkerSim, staleBoundMs: number) {
  const lastCheckpoint = new Map<string, ExtendedSequenceNumber>();
  const staleSince = new Map<number, number>();
  return () => {
    const rows = sim.store.snapshot();
    const owner = new Map(rows.map((l) => [l.leaseKey, l.leaseOwner]));
    for (const l of rows) {
      const before = lastCheckpoint.get(l.leaseKey);
      if (before && compareCheckpoints(l.checkpoint, before) < 0) {
        throw new Error(
          `checkpoint of ${l.leaseKey} went backwards: ${before.sequenceNumber} → ${l.checkpoint.sequenceNumber}`,
        );
      }
      lastCheckpoint.set(l.leaseKey, l.checkpoint);
    }
    const frozen = new Set(sim.workers.filter((w) => w.frozen).map((w) => w.id));
    const liveByShard = new Map<string, number[]>();
    for (const p of sim.instances) {
      if (!p.live || frozen.has(p.worker)) continue;
      liveByShard.set(p.shardId, [...(liveByShard.get(p.shardId) ?? []), p.id]);
      if (owner.get(p.shardId) === p.worker) {
        staleSince.delete(p.id);
        continue;
      }
      const since = staleSince.get(p.id) ?? sim.elapsed;
      staleSince.set(p.id, since);
      if (sim.elapsed - since > staleBoundMs) {
        throw new Error(
          `processor ${p.id} of ${p.worker} for ${p.shardId} still live ${sim.elapsed - since} ms after its lease went to ${owner.get(p.shardId) ?? "nobody"}`,
        );
      }
    }
    for (const [shard, ids] of liveByShard) {
      const owned = ids.filter((id) => owner.get(shard) === sim.instances[id]!.worker);
      if (owned.length > 1) throw new Error(`two live processors own ${shard}: ${owned.join(", ")}`);
    }
  };
}

/** Every put record delivered at least once; per partition key, first deliveries in put order. */
export function checkDeliveries(put: { key: string; n: number }[], deliveries: readonly Delivery[]) {
  const first = new Map<string, number>();
  const lastN = new Map<string, number>();
  for (const d of deliveries) {
    if (first.has(d.data)) continue;
    first.set(d.data, first.size);
    const [key, n] = d.data.split(":") as [string, string];
    const prev = lastN.get(key) ?? -1;
    if (Number(n) !== prev + 1) {
      throw new Error(
        `key ${key}: first delivery of #${n} came after #${prev} (order broken or record skipped)`,
      );
    }
    lastN.set(key, Number(n));
  }
  const missing = put.filter((p) => !first.has(`${p.key}:${p.n}`));
  if (missing.length)
    throw new Error(`${missing.length} records never delivered, e.g. ${missing[0]!.key}:${missing[0]!.n}`);
}

/** Deliveries of a record after its first one. */
export function duplicates(deliveries: readonly Delivery[]): Delivery[] {
  const seen = new Set<string>();
  const dups: Delivery[] = [];
  for (const d of deliveries) {
    if (seen.has(d.data)) dups.push(d);
    seen.add(d.data);
  }
  return dups;
}

/** A producer of `key:n` records with per-key counters. */
export function producer(sim: WorkerSim, keys: number) {
  const counters = new Map<string, number>();
  const put: { key: string; n: number }[] = [];
  return {
    put,
    produce(count: number) {
      for (let i = 0; i < count; i++) {
        const key = `k${put.length % keys}`;
        const n = counters.get(key) ?? 0;
        counters.set(key, n + 1);
        sim.put(key, `${key}:${n}`);
        put.push({ key, n });
      }
    },
  };
}
