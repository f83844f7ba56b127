// The lease coordinator facade: one worker's renewer + taker + release, as the consumer layer sees it.
import type { ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus, LostReason } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import type { Random } from "../core/random.ts";
import { DefaultLeaseCoordinator } from "./coordinator-impl.ts";
import type { Lease } from "./lease.ts";
import type { CheckpointUpdate, LeaseStore, Outcome } from "./store.ts";

export interface LeaseCoordinatorOptions {
  store: LeaseStore;
  workerId: string;
  config: ResolvedConfig;
  clock: Clock;
  random: Random;
  events: EventBus;
  logger?: Logger;
}

/** What the last taker scan saw: the fleet view (leases as scanned, live workers including me). */
export interface LeaseScan {
  leases: Lease[];
  liveWorkers: string[];
}

export interface LeaseCoordinator {
  /** Renewer loop + taker loop until `signal` aborts. The renewer has its own timer: the taker never delays it. */
  run(signal: AbortSignal): Promise<void>;
  /** One renewal round over every held lease (for simulations). */
  renewerTick(): Promise<void>;
  /** One taker round: scan, observe expiry, plan, take/steal (for simulations). */
  takerTick(): Promise<void>;
  /** A lease became ours (taken, stolen, adopted): start a shard consumer. Returns unsubscribe. */
  onAcquired(cb: (lease: Lease) => void): () => void;
  /** A lease left us without our consent: abort that shard. Fired once per loss. Returns unsubscribe. */
  onLost(cb: (leaseKey: string, reason: LostReason) => void): () => void;
  /**
   * A graceful handoff of a held lease to `nextOwner` was requested (a balancing steal, a KCL 3.x
   * leader): shut that shard's processor down (shutdownRequested, final checkpoint), then call
   * release(), which transfers it. Bounded by shutdownTimeoutMs (then onLost "handoff-timeout" and
   * the transfer happens anyway). Without any subscriber the lease is transferred at once. Returns
   * unsubscribe.
   */
  onHandoff(cb: (leaseKey: string, nextOwner: string) => void): () => void;
  /** Between full taker rounds: takes the leases whose handoff to this worker has completed (simulations). */
  pollHandoffs(): Promise<void>;
  heldLeases(): Lease[];
  getHeld(leaseKey: string): Lease | undefined;
  /**
   * Fenced checkpoint write, serialized with this lease's renewals. A conflict is re-read: our own
   * (SDK-retried) write counts as success; anything else is a loss (onLost + lease-lost) and the failed
   * Outcome is returned. A lease not held (or expired in our own view) returns { ok: false }.
   */
  checkpoint(leaseKey: string, update: CheckpointUpdate): Promise<Outcome<Lease>>;
  /**
   * Auto checkpoints: `update` rides on this lease's next renewal instead of costing a write of its own.
   * Settles with that write's outcome, or undefined when it was not written (replaced by a newer offer,
   * lease gone: a loss is reported through onLost as always).
   */
  offerCheckpoint(leaseKey: string, update: CheckpointUpdate): Promise<Outcome<Lease> | undefined>;
  /**
   * Records when a lease still at LATEST / AT_TIMESTAMP was first read (resolvedStartMillis), fenced and
   * serialized like a checkpoint; a lease that has one already keeps it (no write).
   */
  recordResolvedStart(leaseKey: string, startMillis: number): Promise<Outcome<Lease>>;
  /** Records child shard ids on the lease (metadata, not fenced). */
  addChildShardIds(leaseKey: string, ids: string[]): Promise<void>;
  /**
   * Graceful release: owner-conditioned, counter+1, REMOVE leaseOwner; the lease is no longer renewed.
   * A lease in handoff from this worker is transferred to its next owner instead (lease-handed-off).
   */
  release(leaseKey: string): Promise<Outcome<Lease>>;
  /** Stop renewing without writing (e.g. after SHARD_END is written and the consumer finished). */
  dropLocally(leaseKey: string): void;
  /** Graceful shutdown step 1: no more taking or stealing (renewals continue). */
  stopTaking(): void;
  latestScan(): LeaseScan | undefined;
  /**
   * Assigner mode: true while this worker is the fleet's elected assigner (it alone runs shard sync and
   * lease cleanup). Taker mode: always true (every worker does). Absent: treated as true.
   */
  isAssigner?(): boolean;
}

export function createLeaseCoordinator(opts: LeaseCoordinatorOptions): LeaseCoordinator {
  return new DefaultLeaseCoordinator(opts);
}
