// The LeaseCoordinator's subscribers (onAcquired, onLost, onHandoff), shared by the in-process and the
// threaded coordinator: each gets its own copy of a lease, and one that throws never stops the others.
import type { LostReason } from "../core/events.ts";
import type { Lease } from "./lease.ts";

export class LeaseSubscribers {
  private readonly acquired = new Set<(lease: Lease) => void>();
  private readonly lost = new Set<(leaseKey: string, reason: LostReason) => void>();
  private readonly handoff = new Set<(leaseKey: string, nextOwner: string) => void>();

  /** `threw` is told of a subscriber that threw (which callback, and the error). */
  constructor(private readonly threw: (callback: string, error: unknown) => void = () => undefined) {}

  onAcquired(cb: (lease: Lease) => void): () => void {
    this.acquired.add(cb);
    return () => this.acquired.delete(cb);
  }

  onLost(cb: (leaseKey: string, reason: LostReason) => void): () => void {
    this.lost.add(cb);
    return () => this.lost.delete(cb);
  }

  onHandoff(cb: (leaseKey: string, nextOwner: string) => void): () => void {
    this.handoff.add(cb);
    return () => this.handoff.delete(cb);
  }

  /** No processor listens for handoffs (the coordinator then transfers at once). */
  get noHandoffSubscribers(): boolean {
    return this.handoff.size === 0;
  }

  acquiredLease(lease: Lease): void {
    for (const cb of this.acquired) this.safely("onAcquired", () => cb(structuredClone(lease)));
  }

  lostLease(leaseKey: string, reason: LostReason): void {
    for (const cb of this.lost) this.safely("onLost", () => cb(leaseKey, reason));
  }

  handoffRequested(leaseKey: string, nextOwner: string): void {
    for (const cb of this.handoff) this.safely("onHandoff", () => cb(leaseKey, nextOwner));
  }

  private safely(callback: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.threw(callback, e);
    }
  }
}
