// The lease renewer: owns the held leases and every write to them (renew, checkpoint, release, child
// ids), serialized per lease so a checkpoint and a renew never race on leaseCounter. Self-contained
// (its state, its store, plain-data inputs and outputs) so it can later move to its own thread.
import { backoffDelay, DYNAMODB_THROTTLE_BACKOFF } from "../core/backoff.ts";
import type { Clock } from "../core/clock.ts";
import { AbortedError, ThrottledError } from "../core/errors.ts";
import type { LostReason } from "../core/events.ts";
import type { Random } from "../core/random.ts";
import {
  checkpointWrite,
  handoffInitiated,
  releaseWrite,
  renewWrite,
  startWrite,
  type WriteSpec,
} from "./fenced-writes.ts";
import type { Lease } from "./lease.ts";
import { OfferedCheckpoint } from "./offered-checkpoint.ts";
import type { RenewerOutput } from "./renewer-output.ts";
import type { CheckpointUpdate, LeaseStore, Outcome } from "./store.ts";

export type { RenewerOutput };

export interface RenewerOptions {
  store: LeaseStore;
  workerId: string;
  failoverMs: number;
  clock: Clock;
  random: Random;
  output: (message: RenewerOutput) => void;
}

interface Held {
  lease: Lease;
  /** Monotonic send time of our last write that applied: the owner's own view of the lease's age. */
  lastChangeAt: number;
  /** Tail of this lease's write queue. */
  tail: Promise<unknown>;
  renewQueued: boolean;
  /** A processed position waiting to ride on the next renewal (auto checkpoints). */
  offered: OfferedCheckpoint;
}

const NOT_HELD = { ok: false, reason: "owner-mismatch" } as const;
/** Shutdown interrupted a retry: nothing is known to be lost. */
const ABORTED = { ok: false, reason: "counter-mismatch" } as const;

export class LeaseRenewer {
  private readonly held = new Map<string, Held>();

  constructor(private readonly o: RenewerOptions) {}

  /** Starts renewing a lease we just took (`sentAt`: when the take was sent). */
  adopt(lease: Lease, sentAt: number): void {
    this.held.get(lease.leaseKey)?.offered.withdraw();
    this.held.set(lease.leaseKey, {
      lease,
      lastChangeAt: sentAt,
      tail: Promise.resolve(),
      renewQueued: false,
      offered: new OfferedCheckpoint(),
    });
  }

  /** Stops renewing without writing anything. */
  drop(leaseKey: string): void {
    const h = this.held.get(leaseKey);
    if (h) this.forget(leaseKey, h);
  }

  leases(): Lease[] {
    return [...this.held.values()].map((h) => structuredClone(h.lease));
  }

  get(leaseKey: string): Lease | undefined {
    const h = this.held.get(leaseKey);
    return h ? structuredClone(h.lease) : undefined;
  }

  keys(): ReadonlySet<string> {
    return new Set(this.held.keys());
  }

  /** One renewal round. A lease whose previous renewal is still queued or retrying is skipped. */
  async renewAll(signal?: AbortSignal): Promise<void> {
    const rounds: Promise<unknown>[] = [];
    for (const [key, h] of this.held) {
      if (h.renewQueued) continue;
      h.renewQueued = true;
      const done = this.serial(h, () =>
        this.write(key, h, renewWrite(this.o.store, this.o.workerId, h.offered), signal),
      );
      rounds.push(done.finally(() => (h.renewQueued = false)));
    }
    await Promise.allSettled(rounds);
  }

  /**
   * Auto checkpoints without a write of their own: a renewal bumps leaseCounter under the same owner and
   * counter condition as a checkpoint does, so the next renewal of this lease writes `update` with it
   * (one UpdateItem, one write unit, either way). Settles with that write's outcome; with undefined
   * when the offer was replaced by a newer one or the lease left before a write carried it (a loss is
   * reported through `lost` as always). A direct checkpoint at or beyond it settles it too.
   */
  offerCheckpoint(leaseKey: string, update: CheckpointUpdate): Promise<Outcome<Lease> | undefined> {
    return this.held.get(leaseKey)?.offered.offer(update) ?? Promise.resolve(undefined);
  }

  checkpoint(leaseKey: string, update: CheckpointUpdate): Promise<Outcome<Lease>> {
    const h = this.held.get(leaseKey);
    if (!h) return Promise.resolve(NOT_HELD);
    return this.serial(h, () =>
      this.write(leaseKey, h, checkpointWrite(this.o.store, this.o.workerId, update)),
    );
  }

  recordResolvedStart(leaseKey: string, startMillis: number): Promise<Outcome<Lease>> {
    const h = this.held.get(leaseKey);
    if (!h) return Promise.resolve(NOT_HELD);
    return this.serial(h, () => this.write(leaseKey, h, startWrite(this.o.store, startMillis)));
  }

  release(leaseKey: string): Promise<Outcome<Lease>> {
    const h = this.held.get(leaseKey);
    if (!h) return Promise.resolve(NOT_HELD);
    return this.serial(h, () => this.write(leaseKey, h, releaseWrite(this.o.store, this.o.workerId)));
  }

  /** Metadata only (not fenced, no counter bump), but queued behind this lease's fenced writes. */
  async addChildShardIds(leaseKey: string, ids: string[]): Promise<void> {
    const h = this.held.get(leaseKey);
    const send = () =>
      this.retrying(leaseKey, "addChildShardIds", () => this.o.store.addChildShardIds(leaseKey, ids));
    const outcome = h ? await this.serial(h, send) : await send();
    const current = this.held.get(leaseKey);
    if (outcome.ok && current) current.lease.childShardIds = outcome.value.childShardIds;
  }

  /** The lease is no longer ours to write: no more renewals, and nothing offered will be written. */
  private forget(key: string, h: Held): void {
    this.held.delete(key);
    h.offered.withdraw();
  }

  private serial<T>(h: Held, fn: () => Promise<T>): Promise<T> {
    const run = h.tail.then(fn, fn);
    h.tail = run.catch(() => undefined);
    return run;
  }

  private expiresIn(h: Held): number {
    return h.lastChangeAt + this.o.failoverMs - this.o.clock.monotonic();
  }

  /** Sends one fenced write, retrying faults with backoff inside the lease's remaining budget. */
  private async write(
    key: string,
    holding: Held,
    spec: WriteSpec,
    signal?: AbortSignal,
  ): Promise<Outcome<Lease>> {
    // Bound to the holding it was queued for: if the lease was lost and re-acquired since, it is stale.
    for (let attempt = 1; ; attempt++) {
      const h = this.held.get(key);
      if (h !== holding) return NOT_HELD;
      // Never resurrect a lease others may already have judged expired (Java does the same).
      if (this.expiresIn(h) < 0) return this.lose(key, h, "expired-locally");
      if (spec.noop?.(h.lease)) return { ok: true, value: structuredClone(h.lease) };
      const sent = h.lease;
      const sentAt = this.o.clock.monotonic();
      let outcome: Outcome<Lease>;
      let current: Lease | undefined;
      try {
        outcome = await spec.send(sent);
        // A conflict may be our own write, applied and then retried by the SDK: look before judging.
        if (!outcome.ok) current = outcome.current ?? (await this.o.store.getLease(key));
      } catch (e) {
        if (isMissing(e)) return this.lose(key, h, "missing");
        if (!(await this.backoff(key, spec.operation, attempt, e, signal))) return ABORTED;
        continue;
      }
      if (outcome.ok) return this.applied(key, spec, outcome.value, sentAt, h);
      if (!current) return this.lose(key, h, "missing");
      if (spec.applied(current, sent)) return this.applied(key, spec, current, sentAt, h);
      if (handoffInitiated(this.o.workerId, current, sent)) {
        // KCL 3.x graceful handoff: still ours to renew and checkpoint until we transfer it. Adopt the
        // handoff state and send the same write again under it (no backoff: nothing failed).
        h.lease = current;
        this.o.output({
          type: "handoff-requested",
          lease: structuredClone(current),
          to: current.leaseOwner!,
        });
        continue;
      }
      if (
        current.leaseOwner === sent.leaseOwner &&
        current.checkpointOwner === sent.checkpointOwner &&
        current.leaseCounter === sent.leaseCounter
      ) {
        // The condition failed yet nothing moved (a stale read somewhere): try again, still within budget.
        if (!(await this.backoff(key, spec.operation, attempt, undefined, signal))) return ABORTED;
        continue;
      }
      const stolen = current.leaseOwner !== undefined && current.leaseOwner !== this.o.workerId;
      return this.lose(key, h, stolen ? "stolen" : spec.fenced, current);
    }
  }

  private applied(key: string, spec: WriteSpec, lease: Lease, sentAt: number, holding: Held): Outcome<Lease> {
    const outcome = { ok: true, value: structuredClone(lease) } as const;
    if (this.held.get(key) !== holding) return outcome;
    if (!spec.keep) {
      const to = holding.lease.checkpointOwner === this.o.workerId ? lease.leaseOwner : undefined;
      this.forget(key, holding);
      this.o.output(to ? { type: "handed-off", lease, to } : { type: "released", lease });
      return outcome;
    }
    holding.lease = lease;
    holding.lastChangeAt = sentAt;
    if (spec.operation === "renew") this.o.output({ type: "renewed", lease });
    holding.offered.reached(lease.checkpoint, spec.operation === "renew" ? outcome : undefined);
    return outcome;
  }

  /**
   * Waits before the next attempt, never past the lease's own expiry (the next attempt then reports it
   * lost as expired-locally). Throttling and unreachable endpoints are not losses by themselves.
   * False when `signal` aborted (shutdown): the caller gives up without declaring a loss.
   */
  private async backoff(
    key: string,
    operation: string,
    attempt: number,
    error: unknown,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (error instanceof AbortedError) return false;
    const h = this.held.get(key);
    const budget = h ? this.expiresIn(h) : 0;
    const delay = Math.max(
      1,
      Math.min(backoffDelay(DYNAMODB_THROTTLE_BACKOFF, attempt, this.o.random), budget + 1),
    );
    if (error instanceof ThrottledError)
      this.o.output({ type: "throttled", leaseKey: key, operation, retryInMs: delay });
    else if (error !== undefined) this.o.output({ type: "error", leaseKey: key, operation, error });
    try {
      await this.o.clock.sleep(delay, signal);
    } catch {
      return false;
    }
    return true;
  }

  /** Retries faults with backoff (bounded by failoverMs) for unfenced metadata writes. */
  private async retrying<T>(
    key: string,
    operation: string,
    fn: () => Promise<Outcome<T>>,
  ): Promise<Outcome<T>> {
    const deadline = this.o.clock.monotonic() + this.o.failoverMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (isMissing(e) || this.o.clock.monotonic() >= deadline) throw e;
        const delay = backoffDelay(DYNAMODB_THROTTLE_BACKOFF, attempt, this.o.random);
        if (e instanceof ThrottledError)
          this.o.output({ type: "throttled", leaseKey: key, operation, retryInMs: delay });
        await this.o.clock.sleep(delay);
      }
    }
  }

  private lose(key: string, holding: Held, reason: LostReason, current?: Lease): Outcome<Lease> {
    if (this.held.get(key) === holding) {
      this.forget(key, holding);
      this.o.output(
        current ? { type: "lost", leaseKey: key, reason, current } : { type: "lost", leaseKey: key, reason },
      );
    }
    if (!current) return { ok: false, reason: reason === "missing" ? "missing" : "owner-mismatch" };
    return {
      ok: false,
      reason: current.leaseOwner === this.o.workerId ? "counter-mismatch" : "owner-mismatch",
      current,
    };
  }
}

function isMissing(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "KCL_DEPENDENCY_MISSING";
}
