// Wires renewer, taker and expiry observer into the LeaseCoordinator: loops, events and callbacks.
import type { Clock } from "../core/clock.ts";
import { AbortedError, describeError } from "../core/errors.ts";
import type { EventBus, LostReason } from "../core/events.ts";
import { type Logger, silentLogger } from "../core/logger.ts";
import type { PlannedTake } from "../balance/planner.ts";
import type { LeaseCoordinator, LeaseCoordinatorOptions, LeaseScan } from "./coordinator.ts";
import { ExpiryObserver } from "./expiry-observer.ts";
import type { Lease } from "./lease.ts";
import { LeaseRenewer, type RenewerOutput } from "./renewer.ts";
import type { CheckpointUpdate, Outcome } from "./store.ts";
import { LeaseTaker } from "./taker.ts";

export class DefaultLeaseCoordinator implements LeaseCoordinator {
  private readonly renewer: LeaseRenewer;
  private readonly taker: LeaseTaker;
  private readonly observer: ExpiryObserver;
  private readonly events: EventBus;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly acquiredCbs = new Set<(lease: Lease) => void>();
  private readonly lostCbs = new Set<(leaseKey: string, reason: LostReason) => void>();
  private taking = true;
  /** Wakes the taker loop early (stopTaking). */
  private takerWake: AbortController | undefined;

  constructor(private readonly o: LeaseCoordinatorOptions) {
    this.events = o.events;
    this.clock = o.clock;
    this.logger = o.logger ?? silentLogger;
    this.observer = new ExpiryObserver(o.config.failoverMs);
    this.renewer = new LeaseRenewer({
      store: o.store,
      workerId: o.workerId,
      failoverMs: o.config.failoverMs,
      clock: o.clock,
      random: o.random,
      output: (m) => this.onRenewerOutput(m),
    });
    this.taker = new LeaseTaker({
      store: o.store,
      workerId: o.workerId,
      clock: o.clock,
      random: o.random,
      observer: this.observer,
      maxLeasesForWorker: o.config.maxLeasesForWorker,
      maxLeasesToSteal: o.config.maxLeasesToSteal,
      takerIntervalMs: o.config.takerIntervalMs,
      heldKeys: () => this.renewer.keys(),
      acquired: (lease, take, sentAt) => this.adopt(lease, take, sentAt),
      emit: (body) => {
        // Shards nobody can hold go unprocessed: say so in the log too, not only as an event.
        if (body.type === "capacity-warning") this.logger.log("warn", body.message, { workerId: o.workerId });
        this.events.emit(body);
      },
      taking: () => this.taking,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.renewerLoop(signal), this.takerLoop(signal)]);
  }

  renewerTick(): Promise<void> {
    return this.renewer.renewAll();
  }

  async takerTick(): Promise<void> {
    if (!this.taking) return;
    try {
      await this.taker.tick();
    } catch (e) {
      this.logger.log("warn", `lease taker round failed: ${describeError(e)}`, { workerId: this.o.workerId });
      this.events.emit({ type: "warning", message: `lease taker round failed: ${describeError(e)}` });
    }
  }

  onAcquired(cb: (lease: Lease) => void): () => void {
    this.acquiredCbs.add(cb);
    return () => this.acquiredCbs.delete(cb);
  }

  onLost(cb: (leaseKey: string, reason: LostReason) => void): () => void {
    this.lostCbs.add(cb);
    return () => this.lostCbs.delete(cb);
  }

  heldLeases(): Lease[] {
    return this.renewer.leases();
  }

  getHeld(leaseKey: string): Lease | undefined {
    return this.renewer.get(leaseKey);
  }

  checkpoint(leaseKey: string, update: CheckpointUpdate): Promise<Outcome<Lease>> {
    return this.renewer.checkpoint(leaseKey, update);
  }

  offerCheckpoint(leaseKey: string, update: CheckpointUpdate): Promise<Outcome<Lease> | undefined> {
    return this.renewer.offerCheckpoint(leaseKey, update);
  }

  addChildShardIds(leaseKey: string, ids: string[]): Promise<void> {
    return this.renewer.addChildShardIds(leaseKey, ids);
  }

  release(leaseKey: string): Promise<Outcome<Lease>> {
    return this.renewer.release(leaseKey);
  }

  dropLocally(leaseKey: string): void {
    this.renewer.drop(leaseKey);
  }

  stopTaking(): void {
    this.taking = false;
    this.takerWake?.abort();
  }

  latestScan(): LeaseScan | undefined {
    return this.taker.latestScan();
  }

  /** Fixed rate: a slow round (throttling retries) never shifts the schedule of the next one. */
  private async renewerLoop(signal: AbortSignal): Promise<void> {
    const interval = this.o.config.renewIntervalMs;
    let next = this.clock.monotonic() + interval;
    while (!signal.aborted) {
      if (!(await this.sleepUntil(next, signal))) return;
      next += interval;
      const now = this.clock.monotonic();
      if (next <= now) next = now + interval; // we fell behind (a stalled loop): do not burst
      void this.renewer.renewAll(signal);
    }
  }

  /**
   * Runs a round at once, then every takerIntervalMs — or earlier, right after the moment a lease of
   * another worker would expire, so a dead worker's leases are taken within failover + one round.
   */
  private async takerLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.taking) {
      // A scan stuck in the network must not keep run() from returning on abort.
      if (!(await untilAborted(this.takerTick(), signal))) return;
      const now = this.clock.monotonic();
      let wakeAt = now + this.o.config.takerIntervalMs;
      const expiry = this.taker.nextExpiryAt;
      if (expiry !== undefined && expiry >= now && expiry + 1 < wakeAt) wakeAt = expiry + 1;
      // Aborted by run()'s signal or by stopTaking() (AbortSignal.any needs Node ≥ 20.3: linked by hand).
      const wake = new AbortController();
      this.takerWake = wake;
      const onAbort = () => wake.abort();
      signal.addEventListener("abort", onAbort, { once: true });
      const slept = await this.sleepUntil(wakeAt, wake.signal);
      signal.removeEventListener("abort", onAbort);
      if (!slept) return;
    }
  }

  private async sleepUntil(at: number, signal: AbortSignal): Promise<boolean> {
    try {
      await this.clock.sleep(Math.max(0, at - this.clock.monotonic()), signal);
      return true;
    } catch (e) {
      if (e instanceof AbortedError) return false;
      throw e;
    }
  }

  private adopt(lease: Lease, take: PlannedTake, sentAt: number): void {
    this.renewer.adopt(lease, sentAt);
    if (take.how === "stolen" && take.previousOwner) {
      this.events.emit({
        type: "lease-stolen",
        leaseKey: lease.leaseKey,
        from: take.previousOwner,
        leaseCounter: lease.leaseCounter,
      });
    }
    this.events.emit({
      type: "lease-acquired",
      leaseKey: lease.leaseKey,
      leaseCounter: lease.leaseCounter,
      how: take.how,
      ...(take.previousOwner ? { previousOwner: take.previousOwner } : {}),
    });
    for (const cb of this.acquiredCbs) this.safely("onAcquired", () => cb(structuredClone(lease)));
  }

  private onRenewerOutput(m: RenewerOutput): void {
    switch (m.type) {
      case "renewed":
        this.observer.touch(m.lease, this.clock.monotonic());
        this.events.emit({
          type: "lease-renewed",
          leaseKey: m.lease.leaseKey,
          leaseCounter: m.lease.leaseCounter,
        });
        return;
      case "released":
        this.events.emit({
          type: "lease-released",
          leaseKey: m.lease.leaseKey,
          leaseCounter: m.lease.leaseCounter,
        });
        return;
      case "lost": {
        const newOwner = m.current?.leaseOwner;
        this.events.emit({
          type: "lease-lost",
          leaseKey: m.leaseKey,
          reason: m.reason,
          ...(newOwner && newOwner !== this.o.workerId ? { newOwner } : {}),
          ...(m.current ? { leaseCounter: m.current.leaseCounter } : {}),
        });
        for (const cb of this.lostCbs) this.safely("onLost", () => cb(m.leaseKey, m.reason));
        return;
      }
      case "throttled":
        this.events.emit({
          type: "throttled",
          operation: m.operation,
          leaseKey: m.leaseKey,
          retryInMs: m.retryInMs,
        });
        return;
      case "error":
        this.logger.log("warn", `lease ${m.operation} failed, retrying: ${describeError(m.error)}`, {
          leaseKey: m.leaseKey,
          workerId: this.o.workerId,
        });
        this.events.emit({
          type: "lease-write-failed",
          leaseKey: m.leaseKey,
          operation: m.operation,
          error: describeError(m.error),
        });
    }
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.logger.log("error", `${what} callback threw: ${describeError(e)}`, { workerId: this.o.workerId });
    }
  }
}

/** Resolves true when `work` settles, false as soon as `signal` aborts (the work is left to finish alone). */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    });
  });
}
