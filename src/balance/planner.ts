// The balancing planner: a pure function from one lease-table snapshot to the takes and steals this
// worker should attempt. Decides only; the taker (src/leases/taker.ts) executes with conditional writes.
import type { AcquireHow } from "../core/events.ts";
import { type Random, shuffled } from "../core/random.ts";
import { isFinished, type Lease } from "../leases/lease.ts";

export interface PlanInput {
  me: string;
  /** Every lease row of the last scan. */
  leases: readonly Lease[];
  /** Leases this worker holds and renews. A row naming me that I do not hold is available to adopt. */
  held: ReadonlySet<string>;
  /** Lease keys whose owner this observer judges expired (unowned leases need not be listed). */
  expired: ReadonlySet<string>;
  maxLeasesForWorker: number;
  maxLeasesToSteal: number;
  /** Shuffles candidates so that workers scanning the same table do not all race for the same lease. */
  random: Random;
}

export interface PlannedTake {
  lease: Lease;
  /** "stolen": a live lease of another worker, moved by a graceful handoff (the taker initiates it). */
  how: AcquireHow;
  previousOwner?: string;
}

export interface Plan {
  /** Candidates in the order to try; acquire the first `wantTakes` that succeed (the rest are fallbacks). */
  takes: PlannedTake[];
  wantTakes: number;
  /** Steal candidates (all from one victim), tried in order until `wantSteals` handoffs were initiated. */
  steals: PlannedTake[];
  wantSteals: number;
  /** ceil(active leases / live workers), capped by maxLeasesForWorker. */
  target: number;
  /** Active (not SHARD_END) leases I hold. */
  myCount: number;
  activeLeases: number;
  /** Owners of non-expired leases, plus me; sorted. */
  liveWorkers: string[];
  /** Active leases per live worker (non-expired only). */
  counts: Record<string, number>;
  /** Set when the fleet's capacity (maxLeasesForWorker × live workers) is below the active leases. */
  capacityShortfall?: { leases: number; capacity: number };
}

export function planLeases(input: PlanInput): Plan {
  const { me, held, expired } = input;
  const mine = (l: Lease) => l.leaseOwner === me && held.has(l.leaseKey);
  const isLive = (l: Lease) => l.leaseOwner !== undefined && (mine(l) || !expired.has(l.leaseKey));
  // KCL 3.x graceful handoff: the previous owner still checkpoints; leave it alone unless it expired
  // or the handoff timed out (the taker then lists it in `expired`). It counts for the next owner.
  const inHandoff = (l: Lease) => l.checkpointOwner !== undefined;
  const incoming = (l: Lease) => l.leaseOwner === me && !held.has(l.leaseKey) && inHandoff(l) && isLive(l);

  const active = input.leases.filter((l) => !isFinished(l));
  const live = new Set<string>([me]);
  for (const l of input.leases) if (isLive(l)) live.add(l.leaseOwner!);
  const liveWorkers = [...live].sort();

  const counts: Record<string, number> = Object.fromEntries(liveWorkers.map((w) => [w, 0]));
  const available: Lease[] = [];
  for (const l of active) {
    if (mine(l) || incoming(l)) counts[me]! += 1;
    // A row naming me that I do not hold (a take that applied although its response was lost, a loss by
    // local expiry nobody acted on yet): nobody renews it, so adopt it back with a conditional take.
    else if (l.leaseOwner === me || !isLive(l)) available.push(l);
    else counts[l.leaseOwner!]! += 1;
  }
  const myCount = counts[me]!;

  let target = Math.ceil(active.length / liveWorkers.length);
  let capacityShortfall: Plan["capacityShortfall"];
  const capacity = input.maxLeasesForWorker * liveWorkers.length;
  if (capacity < active.length) capacityShortfall = { leases: active.length, capacity };
  target = Math.min(target, input.maxLeasesForWorker);

  const base = { target, myCount, activeLeases: active.length, liveWorkers, counts, capacityShortfall };
  const needed = target - myCount;
  const none = { takes: [], wantTakes: 0, steals: [], wantSteals: 0 };
  if (needed <= 0) return { ...none, ...base };

  if (available.length > 0) {
    const takes = shuffled(input.random, available).map(describeTake);
    return { ...none, ...base, takes, wantTakes: Math.min(needed, takes.length) };
  }

  // Steal only from the single most-loaded worker, and only what narrows the gap (never just moves it).
  let victim: string | undefined;
  for (const w of liveWorkers) {
    if (w !== me && (victim === undefined || counts[w]! > counts[victim]!)) victim = w;
  }
  if (victim === undefined) return { ...none, ...base };
  const victimCount = counts[victim]!;
  let k = Math.min(needed, victimCount - target);
  if (k <= 0 && needed > 1) k = 1; // Java: everyone is at target but I am far below it
  k = Math.min(k, input.maxLeasesToSteal, Math.floor((victimCount - myCount) / 2));
  if (k <= 0) return { ...none, ...base };
  const victimLeases = active.filter((l) => l.leaseOwner === victim && isLive(l) && !inHandoff(l));
  const steals = shuffled(input.random, victimLeases).map(
    (lease): PlannedTake => ({ lease, how: "stolen", previousOwner: victim }),
  );
  return { ...none, ...base, steals, wantSteals: Math.min(k, steals.length) };
}

function describeTake(lease: Lease): PlannedTake {
  if (lease.leaseOwner !== undefined) return { lease, how: "expired", previousOwner: lease.leaseOwner };
  // A counter above 0 on an unowned row means somebody owned it and gave it back.
  return { lease, how: lease.leaseCounter > 0 ? "released" : "unowned" };
}
