// Assigner mode's cheap liveness check between full scans (opt-in: --assigner-scan-ms above the assigner
// interval): one eventually consistent GetItem of one live lease per lease-holding worker. A worker
// whose probed lease keeps its counter for the failover time, on the assigner's clock, is judged dead
// (the lease rule applied to that lease); the assigner then scans at once and reassigns all its leases.
import type { Clock } from "../../core/clock.ts";
import type { AssignmentStore } from "../assignment-store.ts";
import type { ExpiryObserver } from "../expiry-observer.ts";
import { isFinished, isInHandoff, type Lease } from "../lease.ts";

interface Probe {
  key: string;
  counter: number;
  /** Monotonic time this counter value was first seen (by the full scan or a probe). */
  seenAt: number;
}

export class HolderProbes {
  private readonly probes = new Map<string, Probe>();

  constructor(
    private readonly o: { store: AssignmentStore; clock: Clock; failoverMs: number; workerId: string },
  ) {}

  get size(): number {
    return this.probes.size;
  }

  /** After a full scan: one live lease per renewing worker, aged as the expiry observer saw it. */
  reset(leases: readonly Lease[], expired: ReadonlySet<string>, observer: ExpiryObserver): void {
    const now = this.o.clock.monotonic();
    const byKey = new Map(leases.map((l) => [l.leaseKey, l]));
    const usable = (l: Lease | undefined, owner: string): l is Lease =>
      l !== undefined &&
      l.leaseOwner === owner &&
      !isFinished(l) &&
      !isInHandoff(l) &&
      !expired.has(l.leaseKey);
    const before = new Map(this.probes);
    this.probes.clear();
    // A worker keeps its probed lease while it still holds it: a probe that still reads the same counter
    // has watched that value longer than the scan (a scan right after a crash must not restart the clock).
    for (const [owner, kept] of before) {
      const l = byKey.get(kept.key);
      if (!usable(l, owner)) continue;
      const scanned = now - observer.unchangedFor(l, now);
      const seenAt = l.leaseCounter === kept.counter ? Math.min(kept.seenAt, scanned) : scanned;
      this.probes.set(owner, { key: kept.key, counter: l.leaseCounter, seenAt });
    }
    for (const l of leases) {
      const owner = l.leaseOwner;
      if (!owner || owner === this.o.workerId || this.probes.has(owner) || !usable(l, owner)) continue;
      this.probes.set(owner, {
        key: l.leaseKey,
        counter: l.leaseCounter,
        seenAt: now - observer.unchangedFor(l, now),
      });
    }
  }

  /** Reads every probe once; returns the workers whose probed lease has not moved for the failover time. */
  async probe(): Promise<string[]> {
    const dead: string[] = [];
    for (const [worker, p] of [...this.probes]) {
      const lease = await this.o.store.probeLease(p.key);
      const now = this.o.clock.monotonic();
      // Not that worker's live lease any more: no verdict from it (the next full scan picks another).
      if (!lease || lease.leaseOwner !== worker || isFinished(lease) || isInHandoff(lease)) {
        this.probes.delete(worker);
      } else if (lease.leaseCounter !== p.counter) {
        p.counter = lease.leaseCounter;
        p.seenAt = now;
      } else if (now - p.seenAt > this.o.failoverMs) {
        dead.push(worker);
        this.probes.delete(worker);
      }
    }
    return dead;
  }

  /** When the earliest probed lease would expire unless its counter moves (undefined: none). */
  nextExpiryAt(): number | undefined {
    let at: number | undefined;
    for (const p of this.probes.values())
      if (at === undefined || p.seenAt + this.o.failoverMs < at) at = p.seenAt + this.o.failoverMs;
    return at;
  }
}
