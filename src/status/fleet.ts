// Derives the fleet view (workers, unowned, finished, blocked children) from one lease table scan.
import type { LeaseView } from "../core/events.ts";
import type { FleetLeaseStatus, FleetStatus, FleetWorkerStatus } from "./types.ts";

const isFinished = (l: LeaseView) => l.checkpoint === "SHARD_END";

/**
 * Pure: a child is blocked while any parent lease still exists unfinished (the Java KCL rule: it may
 * start once every parent is checkpointed at SHARD_END or gone from the table).
 */
export function deriveFleet(
  leases: readonly LeaseView[],
  liveWorkers: readonly string[],
  me: string,
  scannedAt: number,
): FleetStatus {
  const byKey = new Map<string, LeaseView>();
  for (const l of leases) byKey.set(l.leaseKey, l);

  const counts = new Map<string, number>();
  const live = new Set(liveWorkers);
  for (const w of liveWorkers) counts.set(w, 0);
  counts.set(me, counts.get(me) ?? 0);

  const rows: FleetLeaseStatus[] = [];
  const unowned: string[] = [];
  const finished: string[] = [];
  const blocked: FleetStatus["blocked"] = [];
  for (const l of [...leases].sort((a, b) => compareKeys(a.leaseKey, b.leaseKey))) {
    const done = isFinished(l);
    const waitingOn = done
      ? []
      : l.parentShardIds.filter((p) => {
          const parent = byKey.get(p);
          return parent !== undefined && !isFinished(parent);
        });
    if (done) finished.push(l.leaseKey);
    else if (!l.leaseOwner) unowned.push(l.leaseKey);
    else counts.set(l.leaseOwner, (counts.get(l.leaseOwner) ?? 0) + 1);
    if (waitingOn.length > 0) blocked.push({ leaseKey: l.leaseKey, waitingOn });
    const state: FleetLeaseStatus["state"] = done
      ? "finished"
      : l.checkpointOwner
        ? "handoff"
        : l.leaseOwner
          ? "owned"
          : "unowned";
    rows.push({ ...l, state, waitingOn });
  }

  const workers: FleetWorkerStatus[] = [...counts].map(([workerId, n]) => ({
    workerId,
    leases: n,
    live: live.has(workerId) || workerId === me,
    isMe: workerId === me,
  }));
  // Me first, then by lease count (busiest first), then by id: stable between scans.
  workers.sort(
    (a, b) => Number(b.isMe) - Number(a.isMe) || b.leases - a.leases || compareKeys(a.workerId, b.workerId),
  );
  return { scannedAt, workers, unowned, finished, blocked, leases: rows };
}

export function emptyFleet(): FleetStatus {
  return { workers: [], unowned: [], finished: [], blocked: [], leases: [] };
}

/** Shard ids sort numerically by their zero-padded suffix already; plain string order is right. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
