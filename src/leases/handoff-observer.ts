// How long each lease has been in its current KCL 3.x graceful handoff (checkpointOwner set), on this
// observer's own monotonic clock: a taker leaves a lease in handoff alone until this exceeds its bound.
import type { Lease } from "./lease.ts";

interface Sighting {
  from: string;
  to: string | undefined;
  since: number;
}

export class HandoffObserver {
  private readonly sightings = new Map<string, Sighting>();

  /** `timeoutMs`: how long a handoff may take before others treat the lease as available. */
  constructor(private readonly timeoutMs: number) {}

  /** Folds one full scan in (scanTime taken after it returned, as for expiry). */
  observe(leases: readonly Lease[], scanTime: number): void {
    const present = new Set<string>();
    for (const l of leases) {
      if (l.checkpointOwner === undefined) continue;
      present.add(l.leaseKey);
      const prev = this.sightings.get(l.leaseKey);
      if (prev && prev.from === l.checkpointOwner && prev.to === l.leaseOwner) continue;
      this.sightings.set(l.leaseKey, { from: l.checkpointOwner, to: l.leaseOwner, since: scanTime });
    }
    for (const key of this.sightings.keys()) if (!present.has(key)) this.sightings.delete(key);
  }

  /** Marks a handoff as begun now (this worker initiated it). */
  begun(lease: Lease, at: number): void {
    if (lease.checkpointOwner === undefined) return;
    this.sightings.set(lease.leaseKey, { from: lease.checkpointOwner, to: lease.leaseOwner, since: at });
  }

  /** True when `lease` has been in this same handoff for longer than the timeout. */
  timedOut(lease: Lease, now: number): boolean {
    const s = this.sightings.get(lease.leaseKey);
    if (!s || lease.checkpointOwner !== s.from || lease.leaseOwner !== s.to) return false;
    return now - s.since > this.timeoutMs;
  }
}
