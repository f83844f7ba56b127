// What the renewer reports, told to the rest of the worker: an event for each outcome, and the
// coordinator's subscribers for losses and handoff requests (the in-process coordinator's half of it).
import { describeError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import type { Lease } from "./lease.ts";
import type { LeaseSubscribers } from "./lease-subscribers.ts";
import type { RenewerOutput } from "./renewer.ts";

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
