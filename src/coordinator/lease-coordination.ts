// Which lease coordinator a worker runs: the renewer and taker on their own thread (spec §2 "Leases
// outlive a busy processor"), or in this event loop when the store was injected (simulations), the
// option is off, or this runtime cannot start the thread (then a warning says what that risks).
import type { ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { KclError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import type { Random } from "../core/random.ts";
import { createLeaseCoordinator, type LeaseCoordinator } from "../leases/coordinator.ts";
import { spawnLeaseThread } from "../leases/thread/spawn.ts";
import { type LeaseThreadHandle, ThreadedLeaseCoordinator } from "../leases/thread/threaded-coordinator.ts";
import type { LeaseOwner } from "./lease-table-parts.ts";
import type { WorkerOptions } from "./types.ts";

export interface LeaseThreadRequest {
  config: ResolvedConfig;
  workerId: string;
  credentials: WorkerOptions["credentials"];
  /** An injected store lives in this thread: the coordinator must too. */
  storeInjected: boolean;
  /** Tests only: the thread acts on injected faults (a stall, a crash). */
  faultInjection?: boolean;
  clock: Clock;
  events: EventBus;
}

/** The started lease thread, or undefined when the coordinator runs in this event loop. */
export async function startLeaseThread(o: LeaseThreadRequest): Promise<LeaseThreadHandle | undefined> {
  const { config } = o;
  if (!config.leaseThread || o.storeInjected) return undefined;
  const heartbeatMs = Math.max(50, Math.min(1000, Math.floor(config.renewIntervalMs / 2)));
  const init = {
    workerId: o.workerId,
    config,
    credentials: o.credentials,
    heartbeatMs,
    ...(o.faultInjection ? { faultInjection: true } : {}),
  };
  const started = await spawnLeaseThread(init, o.clock);
  if (started.ok) return started.thread;
  o.events.emit({
    type: "warning",
    message:
      `lease thread unavailable on this runtime (${started.why}): leases are renewed on the main thread, ` +
      `so a processor that blocks the event loop for longer than --failover-ms (${config.failoverMs} ms) loses them`,
  });
  return undefined;
}

export interface CoordinatorChoice {
  owner: LeaseOwner;
  workerId: string;
  config: ResolvedConfig;
  clock: Clock;
  random: Random;
  events: EventBus;
  logger: Logger | undefined;
  /** The lease thread died or is stuck: the worker must stop. */
  onThreadFailure(error: KclError): void;
}

export function leaseCoordinatorFor(o: CoordinatorChoice): LeaseCoordinator {
  const { config, clock, events, workerId } = o;
  if (!("thread" in o.owner)) {
    return createLeaseCoordinator({
      store: o.owner.store,
      workerId,
      config,
      clock,
      random: o.random,
      events,
      logger: o.logger,
    });
  }
  return new ThreadedLeaseCoordinator({
    thread: o.owner.thread,
    workerId,
    failoverMs: config.failoverMs,
    renewIntervalMs: config.renewIntervalMs,
    clock,
    events,
    onFailure: o.onThreadFailure,
  });
}
