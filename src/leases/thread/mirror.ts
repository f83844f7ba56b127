// The main thread's copy of what the lease thread holds and last scanned, kept by the thread's change
// messages (lease-changes.ts): getHeld()/heldLeases()/latestScan() read it, and the renewal and scan
// events the thread no longer sends one by one are emitted from it, as the in-process coordinator does.
import type { KclEventBody } from "../../core/events.ts";
import type { LeaseScan } from "../coordinator.ts";
import type { Lease } from "../lease.ts";
import type { Outcome } from "../store.ts";
import { toView } from "../taker.ts";
import { applyLeaseChanges, type LeaseChanges } from "./lease-changes.ts";

export class LeaseThreadMirror {
  /** The thread's held leases (changes, `acquired`/`lost`, and what writes returned). */
  held = new Map<string, Lease>();
  /** The latest scan, key → lease in the table's order. */
  private scanned = new Map<string, Lease>();
  private liveWorkers: string[] = [];
  /** latestScan()'s answer, built once per round. */
  scan: LeaseScan | undefined;

  constructor(private readonly emit: (event: KclEventBody) => void) {}

  /** A write's answer (checkpoint, auto checkpoint, start position): the lease as it now is. */
  wrote(leaseKey: string, outcome: Outcome<Lease> | undefined): void {
    if (outcome?.ok && this.held.has(leaseKey)) this.held.set(leaseKey, outcome.value);
  }

  heartbeat(changes: LeaseChanges | undefined): void {
    if (changes) this.held = applyLeaseChanges(this.held, changes);
  }

  /** One batch of renewals: each one's `lease-renewed` event, and its counter. */
  renewed(keys: readonly string[], counters: readonly number[]): void {
    for (let i = 0; i < keys.length; i++) {
      const leaseKey = keys[i]!;
      const leaseCounter = counters[i]!;
      const lease = this.held.get(leaseKey);
      // A checkpoint's reply may have overtaken this batch with a later counter: counters only grow.
      if (lease && leaseCounter > lease.leaseCounter) this.held.set(leaseKey, { ...lease, leaseCounter });
      this.emit({ type: "lease-renewed", leaseKey, leaseCounter });
    }
  }

  /** One taker (or assigner) round: the scan's changes, then the round's `lease-table-scanned` event. */
  scanRound(changes: LeaseChanges | undefined, liveWorkers: string[] | undefined): void {
    if (changes) this.scanned = applyLeaseChanges(this.scanned, changes);
    if (liveWorkers) this.liveWorkers = liveWorkers;
    const leases = [...this.scanned.values()];
    this.scan = { leases, liveWorkers: this.liveWorkers };
    this.emit({
      type: "lease-table-scanned",
      leases: leases.map(toView),
      liveWorkers: [...this.liveWorkers],
    });
  }
}
