// Expiry by local observation (spec §2, Java Lease.isExpired): a lease is expired when this observer
// has not seen its leaseCounter change for failoverMs on its own monotonic clock. No remote time is used.
import type { KclEventBody } from "../core/events.ts";
import { isFinished, type Lease } from "./lease.ts";

interface Sighting {
  leaseCounter: number;
  owner: string | undefined;
  /** Monotonic time of the scan that first showed this counter value (-Infinity: never owned). */
  seenAt: number;
  /** The counter value for which lease-expired-observed was already reported. */
  reportedExpiredAt?: number;
}

export class ExpiryObserver {
  private readonly sightings = new Map<string, Sighting>();

  constructor(private readonly failoverMs: number) {}

  /**
   * Folds one full scan in. `scanTime` must be taken after the scan returned: judging a counter change
   * as later than it really was only ever delays expiry, never hastens it.
   */
  observe(leases: readonly Lease[], scanTime: number): void {
    const present = new Set<string>();
    for (const lease of leases) {
      present.add(lease.leaseKey);
      const prev = this.sightings.get(lease.leaseKey);
      if (prev && prev.leaseCounter === lease.leaseCounter) continue;
      this.sightings.set(lease.leaseKey, {
        leaseCounter: lease.leaseCounter,
        owner: lease.leaseOwner,
        // Java: a first sighting of an unowned lease is "very old" (available at once).
        seenAt: prev || lease.leaseOwner ? scanTime : Number.NEGATIVE_INFINITY,
      });
    }
    for (const key of this.sightings.keys()) if (!present.has(key)) this.sightings.delete(key);
  }

  /** Marks a counter value as seen now (our own successful writes: take, renew, checkpoint). */
  touch(lease: Lease, at: number): void {
    this.sightings.set(lease.leaseKey, {
      leaseCounter: lease.leaseCounter,
      owner: lease.leaseOwner,
      seenAt: at,
    });
  }

  /** Unowned leases are available at once; owned ones after failoverMs without a counter change. */
  isExpired(lease: Lease, now: number): boolean {
    if (!lease.leaseOwner) return true;
    return this.unchangedFor(lease, now) > this.failoverMs;
  }

  /** How long this observer has seen the lease's current counter (0 if the counter is new to it). */
  unchangedFor(lease: Lease, now: number): number {
    const s = this.sightings.get(lease.leaseKey);
    if (!s || s.leaseCounter !== lease.leaseCounter) return 0;
    return now - s.seenAt;
  }

  /** Monotonic time at which this owned lease expires unless its counter moves (undefined if unknown). */
  expiresAt(lease: Lease): number | undefined {
    const s = this.sightings.get(lease.leaseKey);
    if (!lease.leaseOwner || !s || s.leaseCounter !== lease.leaseCounter) return undefined;
    return s.seenAt + this.failoverMs;
  }

  /**
   * The lease-expired-observed event for an expired, unfinished lease: once per (lease, counter value),
   * undefined otherwise (the taker and the assigner both report what they find expired).
   */
  expiryReport(lease: Lease, now: number): KclEventBody | undefined {
    if (isFinished(lease) || !lease.leaseOwner || !this.claimExpiryReport(lease)) return undefined;
    return {
      type: "lease-expired-observed",
      leaseKey: lease.leaseKey,
      owner: lease.leaseOwner,
      leaseCounter: lease.leaseCounter,
      unchangedForMs: this.unchangedFor(lease, now),
    };
  }

  /** True exactly once per (lease, counter value) that is expired. */
  private claimExpiryReport(lease: Lease): boolean {
    const s = this.sightings.get(lease.leaseKey);
    if (!s || s.leaseCounter !== lease.leaseCounter || s.reportedExpiredAt === s.leaseCounter) return false;
    s.reportedExpiredAt = s.leaseCounter;
    return true;
  }
}
