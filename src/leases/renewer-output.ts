// What the renewer reports (RenewerOutput), and how the in-process coordinator tells the rest of the
// worker: an event for each outcome, and its subscribers for losses and handoff requests.
import { describeError } from "../core/errors.ts";
import type { EventBus, LostReason } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import type { Lease } from "./lease.ts";
import type { LeaseSubscribers } from "./lease-subscribers.ts";

/** Everything the renewer reports; the coordinator turns these into events and callbacks. */
export type RenewerOutput =
  | { type: "renewed"; lease: Lease }
  | { type: "lost"; leaseKey: string; reason: LostReason; current?: Lease }
  | { type: "released"; lease: Lease }
  /** A graceful handoff to `to` was initiated: keep renewing, shut the processor down, then release (= transfer). */
  | { type: "handoff-requested"; lease: Lease; to: string }
  /** The lease was transferred to its next owner (a release of a lease in handoff). */
  | { type: "handed-off"; lease: Lease; to: string }
  | { type: "throttled"; leaseKey: string; operation: string; retryInMs: number }
  | { type: "error"; leaseKey: string; operation: string; error: unknown };

export interface RenewerOutputDeps {
  workerId: string;
  events: EventBus;
  logger: Logger;
  subscribers: LeaseSubscribers;
  /** A renewal succeeded: the expiry observer and assignment notices. */
  renewed(lease: Lease): void;
  /** Asked to hand a lease over: transfer at once if nobody will shut a processor down; bound it. */
  handoffRequested(leaseKey: string): void;
}

export function reportRenewerOutput(m: RenewerOutput, d: RenewerOutputDeps): void {
  switch (m.type) {
    case "renewed":
      d.renewed(m.lease);
      d.events.emit({
        type: "lease-renewed",
        leaseKey: m.lease.leaseKey,
        leaseCounter: m.lease.leaseCounter,
      });
      return;
    case "released":
      d.events.emit({
        type: "lease-released",
        leaseKey: m.lease.leaseKey,
        leaseCounter: m.lease.leaseCounter,
      });
      return;
    case "handoff-requested": {
      const key = m.lease.leaseKey;
      d.events.emit({
        type: "lease-handoff-requested",
        leaseKey: key,
        to: m.to,
        leaseCounter: m.lease.leaseCounter,
      });
      d.handoffRequested(key);
      d.subscribers.handoffRequested(key, m.to);
      return;
    }
    case "handed-off":
      d.events.emit({
        type: "lease-handed-off",
        leaseKey: m.lease.leaseKey,
        to: m.to,
        leaseCounter: m.lease.leaseCounter,
      });
      return;
    case "lost": {
      const newOwner = m.current?.leaseOwner;
      d.events.emit({
        type: "lease-lost",
        leaseKey: m.leaseKey,
        reason: m.reason,
        ...(newOwner && newOwner !== d.workerId ? { newOwner } : {}),
        ...(m.current ? { leaseCounter: m.current.leaseCounter } : {}),
      });
      d.subscribers.lostLease(m.leaseKey, m.reason);
      return;
    }
    case "throttled":
      d.events.emit({
        type: "throttled",
        operation: m.operation,
        leaseKey: m.leaseKey,
        retryInMs: m.retryInMs,
      });
      return;
    case "error":
      d.logger.log("warn", `lease ${m.operation} failed, retrying: ${describeError(m.error)}`, {
        leaseKey: m.leaseKey,
        workerId: d.workerId,
      });
      d.events.emit({
        type: "lease-write-failed",
        leaseKey: m.leaseKey,
        operation: m.operation,
        error: describeError(m.error),
      });
  }
}
