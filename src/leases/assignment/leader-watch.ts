// The named standby's watch on the assigner (assigner mode): through one of the leader's leases (found
// with one owner-index Query), probed after every second renewal like any holder, instead of a
// consistent read of the leader row every standby interval. That lease's verdict (the lease rule, on
// this observer's clock) claims the lock at once. A leader holding no watchable lease is watched through
// its row by the election, as before.
import type { Clock } from "../../core/clock.ts";
import type { AssignmentStore } from "../assignment-store.ts";
import { ExpiryObserver } from "../expiry-observer.ts";
import { isFinished, isInHandoff } from "../lease.ts";
import { HolderProbes } from "./holder-probes.ts";
import type { LeaderElection } from "./leader-election.ts";

/** A standby whose leader holds no lease it can watch looks again this often (one owner-index Query). */
export const LEADER_WATCH_RETRY_MS = 10_000;

export class LeaderWatch {
  private readonly probes: HolderProbes;
  private observer: ExpiryObserver;
  private watched: string | undefined;
  private retryAt = 0;

  constructor(
    private readonly o: {
      store: AssignmentStore;
      clock: Clock;
      election: LeaderElection;
      workerId: string;
      failoverMs: number;
      renewIntervalMs: number;
    },
  ) {
    this.probes = new HolderProbes({ ...o, everyRenewals: 2 });
    this.observer = new ExpiryObserver(o.failoverMs);
  }

  /** When this watch has something to do next (undefined: not the standby). */
  nextAt(): number | undefined {
    if (!this.o.election.leader()?.standbyIsMe) return undefined;
    return this.o.election.watchingLease ? this.probes.nextDueAt() : this.retryAt;
  }

  /** One step; returns the leader whose lock this step claimed (it is dead by the lease rule). */
  async step(): Promise<string | undefined> {
    const { election } = this.o;
    const leader = election.leader();
    const now = this.o.clock.monotonic();
    if (!leader?.standbyIsMe) {
      this.watched = undefined;
      election.watchingLease = false;
      return undefined;
    }
    if (leader.ownerName !== this.watched || this.probes.size === 0) {
      if (now >= this.retryAt) await this.find(leader.ownerName);
      return undefined;
    }
    if ((this.probes.nextDueAt() ?? Number.POSITIVE_INFINITY) > now) return undefined;
    const dead = await this.probes.probe();
    election.watchingLease = this.probes.size > 0;
    if (!dead.includes(leader.ownerName)) return undefined;
    return (await election.claimSilent(leader.ownerName)).claimedFrom;
  }

  /** One live lease of the leader to watch (the first of a few index keys that is still its own). */
  private async find(leader: string): Promise<void> {
    this.retryAt = this.o.clock.monotonic() + LEADER_WATCH_RETRY_MS;
    this.watched = leader;
    this.probes.reset([], new Set(), this.observer);
    for (const key of (await this.o.store.queryOwnerKeys(leader)).slice(0, 3)) {
      const lease = await this.o.store.probeLease(key);
      if (lease?.leaseOwner !== leader || isFinished(lease) || isInHandoff(lease)) continue;
      this.observer = new ExpiryObserver(this.o.failoverMs);
      this.observer.observe([lease], this.o.clock.monotonic());
      this.probes.reset([lease], new Set(), this.observer);
      break;
    }
    this.o.election.watchingLease = this.probes.size > 0;
  }
}
