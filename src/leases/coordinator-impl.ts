// Wires renewer, taker and expiry observer into the LeaseCoordinator: loops, events and callbacks.
import type { Clock } from "../core/clock.ts";
import { ConfigurationError, describeError } from "../core/errors.ts";
import type { EventBus, LostReason } from "../core/events.ts";
import { type Logger, silentLogger } from "../core/logger.ts";
import type { PlannedTake } from "../balance/planner.ts";
import type { LeaseCoordinator, LeaseCoordinatorOptions, LeaseScan } from "./coordinator.ts";
import type { AssignmentMode } from "./assignment/assignment-mode.ts";
import { assignmentModeFor } from "./assignment/from-config.ts";
import { renewerLoop, takerLoop } from "./coordinator-loops.ts";
import { ExpiryObserver } from "./expiry-observer.ts";
import type { Lease } from "./lease.ts";
import { LeaseRenewer } from "./renewer.ts";
import { reportRenewerOutput } from "./renewer-output.ts";
import { isMixedAssignmentRefusal } from "./assigner-presence.ts";
import type { CheckpointUpdate, Outcome } from "./store.ts";
import { LeaseSubscribers } from "./lease-subscribers.ts";
import { LeaseTaker } from "./taker.ts";

export class DefaultLeaseCoordinator implements LeaseCoordinator {
  private readonly renewer: LeaseRenewer;
  private readonly taker: LeaseTaker;
  private readonly observer: ExpiryObserver;
  private readonly events: EventBus;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly subscribers: LeaseSubscribers;
  /** Cancels the handoff deadlines when the coordinator stops. */
  private readonly deadlines = new AbortController();
  private taking = true;
  /** Wakes the taker loop early (stopTaking). */
  private takerWake: AbortController | undefined;
  /** The taker refused to run beside a live assigner (mixed modes): run() rejects with it. */
  private refusal: ConfigurationError | undefined;
  /** Assigner mode (`--lease-assignment assigner`): replaces the taker loop; the renewer is the same. */
  private readonly assignment: AssignmentMode | undefined;

  constructor(private readonly o: LeaseCoordinatorOptions) {
    this.events = o.events;
    this.clock = o.clock;
    this.logger = o.logger ?? silentLogger;
    this.subscribers = new LeaseSubscribers((callback, e) =>
      this.logger.log("error", `${callback} callback threw: ${describeError(e)}`, { workerId: o.workerId }),
    );
    this.observer = new ExpiryObserver(o.config.failoverMs);
    this.renewer = new LeaseRenewer({
      store: o.store,
      workerId: o.workerId,
      failoverMs: o.config.failoverMs,
      clock: o.clock,
      random: o.random,
      output: (m) =>
        reportRenewerOutput(m, {
          workerId: o.workerId,
          events: this.events,
          logger: this.logger,
          subscribers: this.subscribers,
          renewed: (lease) => {
            this.observer.touch(lease, this.clock.monotonic());
            if (lease.assignedLeases) this.assignment?.notice(lease.assignedLeases);
          },
          handoffRequested: (key) => {
            // Without subscribers there is no processor to shut down: transfer at once.
            if (this.subscribers.noHandoffSubscribers) void this.renewer.release(key).catch(() => undefined);
            void this.handoffDeadline(key);
          },
        }),
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
      // The old owner transfers by its shutdown timeout at the latest; give it one lease term more.
      handoffTimeoutMs: o.config.shutdownTimeoutMs + o.config.failoverMs,
      table: o.config.table,
    });
    this.assignment = o.config.leaseAssignment === "assigner" ? this.assignmentMode() : undefined;
  }

  private assignmentMode(): AssignmentMode {
    const workerId = this.o.workerId;
    return assignmentModeFor(this.o, {
      observer: this.observer,
      heldKeys: () => this.renewer.keys(),
      renewNow: () => void this.renewer.renewAll(),
      taking: () => this.taking,
      adopt: (lease, how, previousOwner) =>
        this.adopt(
          lease,
          { lease, how, ...(previousOwner ? { previousOwner } : {}) },
          this.clock.monotonic(),
        ),
      emit: (body) => {
        if (body.type === "capacity-warning") this.logger.log("warn", body.message, { workerId });
        this.events.emit(body);
      },
      warn: (message) => {
        this.logger.log("warn", message, { workerId });
        this.events.emit({ type: "warning", message });
      },
    });
  }

  /** Assigner mode: true while this worker is the fleet's elected assigner (it alone syncs shards). */
  isAssigner(): boolean {
    return this.assignment?.isAssigner() ?? true;
  }

  async run(signal: AbortSignal): Promise<void> {
    const renewing = renewerLoop(
      this.clock,
      this.o.config.renewIntervalMs,
      (s) => void this.renewer.renewAll(s),
      signal,
    );
    if (this.assignment) {
      await Promise.all([renewing, this.assignment.run(signal)]);
      this.deadlines.abort();
      return;
    }
    // A refusal rejects at once, the renewer still running: the worker's graceful stop then releases
    // what this worker holds (checkpointed) for the assigner to hand on, and stops the renewer.
    const taking = async () => {
      await takerLoop(
        {
          clock: this.clock,
          intervalMs: this.o.config.takerIntervalMs,
          round: () => this.takerTick(),
          poll: () => this.pollHandoffs(),
          nextExpiryAt: () => this.taker.nextExpiryAt,
          awaitingHandoffs: () => this.taker.awaitingHandoffs,
          taking: () => this.taking,
          setWake: (wake) => {
            this.takerWake = wake;
          },
        },
        signal,
      );
      if (this.refusal) throw this.refusal;
    };
    await Promise.all([renewing, taking()]);
    this.deadlines.abort();
  }

  renewerTick(): Promise<void> {
    return this.renewer.renewAll();
  }

  /** Takes the leases whose handoff to us has completed (between full taker rounds). */
  async pollHandoffs(): Promise<void> {
    if (!this.taking) return;
    if (this.assignment) return this.assignment.step();
    try {
      await this.taker.pollHandoffs();
    } catch (e) {
      this.logger.log("warn", `handoff poll failed: ${describeError(e)}`, { workerId: this.o.workerId });
    }
  }

  async takerTick(): Promise<void> {
    if (!this.taking) return;
    if (this.assignment) return this.assignment.step();
    try {
      await this.taker.tick();
    } catch (e) {
      if (e instanceof ConfigurationError && isMixedAssignmentRefusal(e)) return this.refuse(e);
      this.logger.log("warn", `lease taker round failed: ${describeError(e)}`, { workerId: this.o.workerId });
      this.events.emit({ type: "warning", message: `lease taker round failed: ${describeError(e)}` });
    }
  }

  /** Mixed lease-assignment modes on one table: stop taking for good and say why (run() rejects). */
  private refuse(error: ConfigurationError): void {
    this.refusal = error;
    this.logger.log("error", error.message, { workerId: this.o.workerId });
    this.events.emit({ type: "warning", message: error.message });
    this.stopTaking();
  }

  onAcquired(cb: (lease: Lease) => void): () => void {
    return this.subscribers.onAcquired(cb);
  }

  onLost(cb: (leaseKey: string, reason: LostReason) => void): () => void {
    return this.subscribers.onLost(cb);
  }

  onHandoff(cb: (leaseKey: string, nextOwner: string) => void): () => void {
    return this.subscribers.onHandoff(cb);
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

  recordResolvedStart(leaseKey: string, startMillis: number): Promise<Outcome<Lease>> {
    return this.renewer.recordResolvedStart(leaseKey, startMillis);
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
    this.assignment?.interrupt();
  }

  latestScan(): LeaseScan | undefined {
    return this.assignment ? this.assignment.latestScan() : this.taker.latestScan();
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
    this.subscribers.acquiredLease(lease);
  }

  /**
   * A handoff is bounded: if the processor has not finished by the shutdown timeout, it is told the
   * lease is lost (no more checkpoints) and the lease is transferred anyway (Java does the same).
   */
  private async handoffDeadline(leaseKey: string): Promise<void> {
    try {
      await this.clock.sleep(this.o.config.shutdownTimeoutMs, this.deadlines.signal);
    } catch {
      return;
    }
    if (this.renewer.get(leaseKey)?.checkpointOwner !== this.o.workerId) return;
    this.events.emit({
      type: "warning",
      leaseKey,
      message: `handoff of ${leaseKey} not finished within ${this.o.config.shutdownTimeoutMs} ms (--shutdown-timeout-ms): transferring it without a final checkpoint; the next owner may see records again`,
    });
    this.subscribers.lostLease(leaseKey, "handoff-timeout");
    await this.renewer.release(leaseKey).catch(() => undefined);
  }
}
