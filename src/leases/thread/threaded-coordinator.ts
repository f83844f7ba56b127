// The main thread's side of the lease thread: a LeaseCoordinator whose renewer and taker run on their
// own event loop (entry.ts). Writes go to the thread as calls, so they stay serialized with its renewals
// and fenced by its conditional writes; held leases and the latest scan are mirrored from its messages.
// Two safety nets: delivery waits while the thread has been silent for failover − renew interval (it
// may be stalled and the lease gone), and a thread that crashed or stays silent while this loop is
// responsive loses every lease locally and fails the worker with a clear error.
import type { Clock } from "../../core/clock.ts";
import { AbortedError, InvariantViolationError, type KclError, LeaseLostError } from "../../core/errors.ts";
import type { EventBus, LostReason } from "../../core/events.ts";
import type { LeaseCoordinator, LeaseScan } from "../coordinator.ts";
import type { Lease } from "../lease.ts";
import type { CheckpointUpdate, Outcome } from "../store.ts";
import { LeaseSubscribers } from "../lease-subscribers.ts";
import { isMixedAssignmentRefusal } from "../assigner-presence.ts";
import { LeaseThreadMirror } from "./mirror.ts";
import { deserializeError, type FromThread, type RemoteMethod, type ToThread } from "./protocol.ts";

/** The worker-thread handle, as this class uses it (node:worker_threads Worker in production). */
export interface LeaseThreadHandle {
  post(message: ToThread): void;
  onMessage(cb: (message: FromThread) => void): void;
  /** The thread died (uncaught error or exit). */
  onExit(cb: (why: string) => void): void;
  terminate(): Promise<void>;
}

export interface ThreadedCoordinatorOptions {
  thread: LeaseThreadHandle;
  workerId: string;
  failoverMs: number;
  renewIntervalMs: number;
  clock: Clock;
  events: EventBus;
  /** The lease thread is gone or stuck: the worker must stop. */
  onFailure(error: KclError): void;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A watchdog round that woke this much later than planned means this loop itself was blocked. */
const WATCHDOG_MS = 1000;
const WATCHDOG_LATE_MS = 500;

export class ThreadedLeaseCoordinator implements LeaseCoordinator {
  /** Assigner mode: the thread's last report of whether it is the elected assigner. */
  private assigner: boolean | undefined;
  /** What the thread holds and last scanned, as its messages tell. */
  private readonly mirror: LeaseThreadMirror;
  /** A consumer callback must never break message handling (the in-process coordinator logs it). */
  private readonly subscribers = new LeaseSubscribers();
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private lastHeardAt: number;
  private failed: KclError | undefined;
  /** The thread's run ended (with the taker's refusal to run beside a live assigner, if that ended it). */
  private runEnded: ((refusal?: Error) => void) | undefined;
  private pausedReported = false;
  private terminating = false;
  private watchStop: AbortController | undefined;

  constructor(private readonly o: ThreadedCoordinatorOptions) {
    this.lastHeardAt = o.clock.monotonic();
    this.mirror = new LeaseThreadMirror((event) => o.events.emit(event));
    o.thread.onMessage((m) => this.onMessage(m));
    o.thread.onExit((why) => {
      if (!this.terminating) this.fail(`the lease thread stopped unexpectedly (${why})`);
    });
  }

  /** Delivery is safe while the thread was heard from within failover − renew interval. */
  get silenceLimitMs(): number {
    return Math.max(this.o.renewIntervalMs, this.o.failoverMs - this.o.renewIntervalMs);
  }

  renewerFresh(): boolean {
    return !this.failed && this.o.clock.monotonic() - this.lastHeardAt < this.silenceLimitMs;
  }

  /** Resolves once the lease thread is known alive; rejects with LeaseLostError once it has failed. */
  async untilRenewerFresh(signal: AbortSignal): Promise<void> {
    while (!this.renewerFresh()) {
      if (this.failed) throw new LeaseLostError(`lease thread failed: ${this.failed.message}`);
      if (!this.pausedReported) {
        this.pausedReported = true;
        this.o.events.emit({
          type: "warning",
          message: `no word from the lease thread for ${Math.round(this.o.clock.monotonic() - this.lastHeardAt)} ms: record delivery paused until it renews again`,
        });
      }
      await this.o.clock.sleep(100, signal);
    }
    this.pausedReported = false;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.failed) return;
    const ended = new Promise<Error | undefined>((resolve) => {
      this.runEnded = resolve;
    });
    this.o.thread.post({ type: "run" });
    // The watchdog stops with the run, or at once when the thread fails (fail() aborts it).
    const watching = new AbortController();
    this.watchStop = watching;
    const watchdog = this.watch(watching.signal);
    const onAbort = () => {
      watching.abort();
      this.o.thread.post({ type: "stop-run" });
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const refusal = await ended;
    const finish = async () => {
      signal.removeEventListener("abort", onAbort);
      await watchdog;
      this.terminating = true;
      await this.o.thread.terminate();
    };
    if (!refusal) return finish();
    // The thread's taker refused to run beside a live assigner: a configuration error, not a failed
    // thread. The worker stops gracefully and releases its leases through the thread, which renews
    // them until then: it is stopped once the run's signal aborts (onAbort above), as usual.
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    void aborted.then(finish);
    throw refusal;
  }

  renewerTick(): Promise<void> {
    return this.call("renewerTick", []) as Promise<void>;
  }

  takerTick(): Promise<void> {
    return this.call("takerTick", []) as Promise<void>;
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

  pollHandoffs(): Promise<void> {
    return this.call("pollHandoffs", []) as Promise<void>;
  }

  async recordResolvedStart(leaseKey: string, startMillis: number): Promise<Outcome<Lease>> {
    const outcome = (await this.call("recordResolvedStart", [leaseKey, startMillis])) as Outcome<Lease>;
    this.mirror.wrote(leaseKey, outcome);
    return outcome;
  }

  heldLeases(): Lease[] {
    return [...this.mirror.held.values()].map((l) => structuredClone(l));
  }

  getHeld(leaseKey: string): Lease | undefined {
    const lease = this.mirror.held.get(leaseKey);
    return lease ? structuredClone(lease) : undefined;
  }

  async checkpoint(leaseKey: string, update: CheckpointUpdate): Promise<Outcome<Lease>> {
    const outcome = (await this.call("checkpoint", [leaseKey, update])) as Outcome<Lease>;
    this.mirror.wrote(leaseKey, outcome);
    return outcome;
  }

  async offerCheckpoint(leaseKey: string, update: CheckpointUpdate): Promise<Outcome<Lease> | undefined> {
    const outcome = (await this.call("offerCheckpoint", [leaseKey, update])) as Outcome<Lease> | undefined;
    this.mirror.wrote(leaseKey, outcome);
    return outcome;
  }

  async addChildShardIds(leaseKey: string, ids: string[]): Promise<void> {
    await this.call("addChildShardIds", [leaseKey, ids]);
  }

  async release(leaseKey: string): Promise<Outcome<Lease>> {
    const outcome = (await this.call("release", [leaseKey])) as Outcome<Lease>;
    this.mirror.held.delete(leaseKey);
    return outcome;
  }

  dropLocally(leaseKey: string): void {
    this.mirror.held.delete(leaseKey);
    this.o.thread.post({ type: "drop", leaseKey });
  }

  stopTaking(): void {
    this.o.thread.post({ type: "stop-taking" });
  }

  latestScan(): LeaseScan | undefined {
    // Assigner mode: only the assigner's scan is current (cleanup must not act on a former term's).
    return this.assigner === false ? undefined : this.mirror.scan;
  }

  /** Assigner mode: as the thread last reported (every heartbeat); taker mode: always true. */
  isAssigner(): boolean {
    return this.assigner !== false;
  }

  private call(method: RemoteMethod, args: unknown[]): Promise<unknown> {
    if (this.failed) return Promise.reject(new LeaseLostError(`lease thread failed: ${this.failed.message}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.o.thread.post({ type: "call", id, method, args });
    });
  }

  private onMessage(m: FromThread): void {
    this.lastHeardAt = this.o.clock.monotonic();
    switch (m.type) {
      case "heartbeat":
        if (m.assigner !== undefined) this.assigner = m.assigner;
        this.mirror.heartbeat(m.held);
        return;
      case "renewed":
        this.mirror.renewed(m.keys, m.counters);
        return;
      case "event":
        if (m.body.type === "lease-released") this.mirror.held.delete(m.body.leaseKey);
        this.o.events.emit(m.body);
        return;
      case "acquired":
        this.mirror.held.set(m.lease.leaseKey, m.lease);
        this.subscribers.acquiredLease(m.lease);
        return;
      case "lost":
        this.mirror.held.delete(m.leaseKey);
        this.subscribers.lostLease(m.leaseKey, m.reason);
        return;
      case "handoff":
        this.subscribers.handoffRequested(m.leaseKey, m.nextOwner);
        return;
      case "scan":
        this.mirror.scanRound(m.changes, m.liveWorkers);
        return;
      case "reply": {
        const call = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!call) return;
        if (m.ok) call.resolve(m.value);
        else call.reject(deserializeError(m.error));
        return;
      }
      case "run-ended":
        // A renewer/taker loop that crashed in the thread stops the worker, as it does in-process
        // (coordinator.run rejecting reaches the worker's onFatal there).
        // The taker's refusal to run beside a live assigner (mixed modes) is no thread failure.
        if (isMixedAssignmentRefusal(m.error)) this.runEnded?.(deserializeError(m.error!));
        else if (m.error)
          this.fail(`the lease thread's renewer/taker loop failed (${m.error.name}: ${m.error.message})`);
        else this.runEnded?.();
        return;
      case "ready":
        return;
    }
  }

  /** While running: a thread silent past failover while this loop runs on time is stuck. */
  private async watch(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !this.failed) {
      const planned = this.o.clock.monotonic() + WATCHDOG_MS;
      try {
        await this.o.clock.sleep(WATCHDOG_MS, signal);
      } catch (e) {
        if (e instanceof AbortedError) return;
        throw e;
      }
      const now = this.o.clock.monotonic();
      if (now - planned > WATCHDOG_LATE_MS) continue; // this loop was blocked: its view is stale
      const silentMs = now - this.lastHeardAt;
      if (silentMs > this.o.failoverMs)
        this.fail(`the lease thread has not answered for ${Math.round(silentMs)} ms`);
    }
  }

  /** Every lease is lost locally (nothing more is delivered on any of them) and the worker is told. */
  private fail(why: string): void {
    if (this.failed) return;
    const error = new InvariantViolationError(
      `${why}; its leases were not released and move to other workers after the failover time. ` +
        "This is a bug in kcl-ts (or the process ran out of memory): please report it with the log.",
      { workerId: this.o.workerId },
    );
    this.failed = error;
    for (const call of this.pending.values()) call.reject(new LeaseLostError(`lease thread failed: ${why}`));
    this.pending.clear();
    const keys = [...this.mirror.held.keys()];
    this.mirror.held.clear();
    for (const leaseKey of keys) {
      this.o.events.emit({ type: "lease-lost", leaseKey, reason: "renew-failed" });
      this.subscribers.lostLease(leaseKey, "renew-failed");
    }
    this.watchStop?.abort();
    this.runEnded?.();
    this.o.onFailure(error);
  }
}
