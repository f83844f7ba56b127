// The assigner's fleet-level plan (assigner mode): a pure function from one table snapshot to every
// assignment (take for a worker) and every graceful handoff that balances the whole fleet in one pass.
// Decides only; the assigner (src/leases/assignment/assigner.ts) executes with conditional writes.
import type { AcquireHow } from "../core/events.ts";
import { isFinished, isInHandoff, type Lease } from "../leases/lease.ts";

export interface FleetPlanInput {
  /** Every lease row of the assigner's last scan. */
  leases: readonly Lease[];
  /** Workers that may receive leases (live by their leases or their worker rows), any order. */
  workers: readonly string[];
  /** Lease keys the assigner judges expired (owner silent for the failover time, or handoff timed out). */
  expired: ReadonlySet<string>;
  maxLeasesForWorker: number;
  /**
   * Workers that learn of an assignment at once (they hold a lease whose renewal reads the notice back).
   * Expired and unowned leases go to the least-loaded of these while any has room; balancing then moves
   * leases on to the others by graceful handoff. Default: every worker.
   */
  reachable?: ReadonlySet<string>;
  /** Leases not to move this round (their owner has not renewed them since it got them). */
  pinned?: ReadonlySet<string>;
}

export interface Assignment {
  lease: Lease;
  to: string;
  how: AcquireHow;
  previousOwner?: string;
}

export interface Handoff {
  lease: Lease;
  from: string;
  to: string;
}

export interface FleetPlan {
  /** Unowned, expired or dead-owner leases, each given to the least-loaded live worker. */
  assignments: Assignment[];
  /** Live leases moved from the most- to the least-loaded workers until all are within one. */
  handoffs: Handoff[];
  /** Active leases per worker once the plan has applied. */
  counts: Record<string, number>;
  /** Sorted. */
  workers: string[];
  capacityShortfall?: { leases: number; capacity: number };
}

export function planFleet(input: FleetPlanInput): FleetPlan {
  const workers = [...new Set(input.workers)].sort();
  const counts: Record<string, number> = Object.fromEntries(workers.map((w) => [w, 0]));
  const active = input.leases.filter((l) => !isFinished(l));
  const cap = input.maxLeasesForWorker;
  const capacity = cap * workers.length;
  const capacityShortfall = capacity < active.length ? { leases: active.length, capacity } : undefined;
  const base = { counts, workers, ...(capacityShortfall ? { capacityShortfall } : {}) };
  if (workers.length === 0) return { assignments: [], handoffs: [], ...base };

  // Available: unowned or expired leases only. A live lease stays where it is (in handoff it counts for
  // its next owner, as in the taker's planner); one whose owner may not receive more (judged silent) is
  // left alone until it expires by the lease rule itself.
  const held = new Map<string, Lease[]>(workers.map((w) => [w, []]));
  const available: Lease[] = [];
  for (const l of active) {
    const owner = l.leaseOwner;
    if (owner === undefined || input.expired.has(l.leaseKey)) available.push(l);
    else if (owner in counts) {
      counts[owner]! += 1;
      held.get(owner)!.push(l);
    }
  }

  const leastLoaded = (among: readonly string[] = workers): string | undefined => {
    let best: string | undefined;
    for (const w of among)
      if (counts[w]! < cap && (best === undefined || counts[w]! < counts[best]!)) best = w;
    return best;
  };

  const assignments: Assignment[] = [];
  const reachable = input.reachable ? workers.filter((w) => input.reachable!.has(w)) : workers;
  for (const lease of available) {
    const to = leastLoaded(reachable) ?? leastLoaded();
    if (to === undefined) break; // the capacity warning says why the rest wait
    counts[to]! += 1;
    assignments.push({ lease, to, ...describe(lease) });
  }

  // Balance: move one live lease at a time from the most- to the least-loaded worker while they differ
  // by more than one. Leases already in a handoff never move again until it completes.
  const handoffs: Handoff[] = [];
  const movable = new Map<string, Lease[]>(
    [...held].map(([w, ls]) => [
      w,
      ls.filter((l) => !isInHandoff(l) && !input.pinned?.has(l.leaseKey)).sort(byKeyDescending),
    ]),
  );
  // A worker that was just given leases keeps one it already held: the assigner's notice rides on it.
  const receiving = new Set(assignments.map((a) => a.to));
  const canGive = (w: string) => movable.get(w)!.length > (receiving.has(w) ? 1 : 0);
  for (;;) {
    let donor: string | undefined;
    for (const w of workers) {
      if (canGive(w) && (donor === undefined || counts[w]! > counts[donor]!)) donor = w;
    }
    const to = leastLoaded();
    if (donor === undefined || to === undefined || counts[donor]! - counts[to]! <= 1) break;
    const lease = movable.get(donor)!.shift()!;
    counts[donor]! -= 1;
    counts[to]! += 1;
    handoffs.push({ lease, from: donor, to });
  }
  return { assignments, handoffs, ...base };
}

function describe(lease: Lease): { how: AcquireHow; previousOwner?: string } {
  if (lease.leaseOwner !== undefined) return { how: "expired", previousOwner: lease.leaseOwner };
  return { how: lease.leaseCounter > 0 ? "released" : "unowned" };
}

function byKeyDescending(a: Lease, b: Lease): number {
  return a.leaseKey < b.leaseKey ? 1 : a.leaseKey > b.leaseKey ? -1 : 0;
}
