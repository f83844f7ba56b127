// The lease renewer: owns the held leases and every write to them (renew, checkpoint, release, child
// ids), serialized per lease so a checkpoint and a renew never race on leaseCounter. Self-contained
// (its state, its store, plain-data inputs and outputs) so it can later move to its own thread.
import { backoffDelay, DYNAMODB_THROTTLE_BACKOFF } from "../core/backoff.ts";
import type { Clock } from "../core/clock.ts";
import { AbortedError, ThrottledError } from "../core/errors.ts";
import type { LostReason } from "../core/events.ts";
import type { Random } from "../core/random.ts";
import { compareCheckpoints, type Lease } from "./lease.ts";
import type { CheckpointUpdate, LeaseStore, Outcome } from "./store.ts";

/** Everything the renewer reports; the coordinator turns these into events and callbacks. */
export type RenewerOutput =
  | { type: "renewed"; lease: Lease }
  | { type: "lost"; leaseKey: string; reason: LostReason; current?: Lease }
  | { type: "released"; lease: Lease }
  | { type: "throttled"; leaseKey: string; operation: string; retryInMs: number }
  | { type: "error"; leaseKey: string; operation: string; error: unknown };

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
  offer?: Offer;
}

/** One offered checkpoint and who waits for it: settled once, with the write or undefined (not written). */
interface Offer {
  update: CheckpointUpdate;
  settle: (outcome: Outcome<Lease> | undefined) => void;
}

/** One fenced write: how to send it, how to recognise it in a re-read, what a failure means. */
interface WriteSpec {
  operation: string;
  send: (lease: Lease) => Promise<Outcome<Lease>>;
  /** After a conflict: does `current` show that our own (SDK-retried) write applied? */
  applied: (current: Lease, sent: Lease) => boolean;
  /** Loss reason when the re-read shows neither our write nor another owner. */
  fenced: LostReason;
  /** After success: keep holding (renew, checkpoint) or let go (release). */
  keep: boolean;
}

const NOT_HELD = { ok: false, reason: "owner-mismatch" } as const;
/** Shutdown interrupted a retry: nothing is known to be lost. */
const ABORTED = { ok: false, reason: "counter-mismatch" } as const;

export class LeaseRenewer {
  private readonly held = new Map<string, Held>();

  constructor(private readonly o: RenewerOptions) {}

  /** Starts renewing a lease we just took (`sentAt`: when the take was sent). */
  adopt(lease: Lease, sentAt: number): void {
    const previous = this.held.get(lease.leaseKey);
    if (previous) this.withdrawOffer(previous);
    this.held.set(lease.leaseKey, {
      lease,
      lastChangeAt: sentAt,
      tail: Promise.resolve(),
      renewQueued: false,
    });
  }

  /** Stops renewing without writing anything. */
  drop(leaseKey: string): void {
    const h = this.held.get(leaseKey);
    this.held.delete(leaseKey);
    if (h) this.withdrawOffer(h);
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
      const done = this.serial(h, () => this.write(key, h, this.renewSpec(h), signal));
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
    const h = this.held.get(leaseKey);
    if (!h) return Promise.resolve(undefined);
    this.withdrawOffer(h);
    return new Promise((settle) => {
      h.offer = { update, settle };
    });
  }

  checkpoint(leaseKey: string, update: CheckpointUpdate): Promise<Outcome<Lease>> {
    const h = this.held.get(leaseKey);
    if (!h) return Promise.resolve(NOT_HELD);
    return this.serial(h, () =>
      this.write(leaseKey, h, {
        operation: "checkpoint",
        send: (lease) => this.o.store.updateCheckpoint(lease, update),
        applied: (cur, sent) =>
          this.isMine(cur, sent) && compareCheckpoints(cur.checkpoint, update.checkpoint) === 0,
        fenced: "checkpoint-fenced",
        keep: true,
      }),
    );
  }

  release(leaseKey: string): Promise<Outcome<Lease>> {
    const h = this.held.get(leaseKey);
    if (!h) return Promise.resolve(NOT_HELD);
    return this.serial(h, () =>
      this.write(leaseKey, h, {
        operation: "release",
        send: (lease) => this.o.store.releaseLease(lease),
        applied: (cur, sent) => cur.leaseOwner === undefined && cur.leaseCounter === sent.leaseCounter + 1,
        fenced: "renew-failed",
        keep: false,
      }),
    );
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

  /** A renewal, carrying the offered checkpoint when there is one beyond the lease's checkpoint. */
  private renewSpec(h: Held): WriteSpec {
    // Decided at send time (the write may wait behind a checkpoint), re-decided on every retry.
    let carried: CheckpointUpdate | undefined;
    return {
      operation: "renew",
      send: (lease) => {
        const offered = h.offer?.update;
        carried =
          offered && compareCheckpoints(offered.checkpoint, lease.checkpoint) > 0 ? offered : undefined;
        // Behind the table's checkpoint (a direct write went further): nothing left to carry.
        if (offered && !carried) this.withdrawOffer(h);
        return carried ? this.o.store.updateCheckpoint(lease, carried) : this.o.store.renewLease(lease);
      },
      applied: (cur, sent) =>
        this.isMine(cur, sent) && (!carried || compareCheckpoints(cur.checkpoint, carried.checkpoint) === 0),
      fenced: "renew-failed",
      keep: true,
    };
  }

  /**
   * Settles the offer once a write put the lease's checkpoint at or beyond it: with the write when a
   * renewal carried it, with undefined when a direct checkpoint covered it (that one reports itself).
   */
  private settleOffer(h: Held, carriedBy: Outcome<Lease> | undefined): void {
    const offer = h.offer;
    if (!offer || compareCheckpoints(offer.update.checkpoint, h.lease.checkpoint) > 0) return;
    h.offer = undefined;
    offer.settle(carriedBy);
  }

  private withdrawOffer(h: Held): void {
    const offer = h.offer;
    h.offer = undefined;
    offer?.settle(undefined);
  }

  /** Our own write applied iff the lease still names us and the counter moved by exactly that write. */
  private isMine(current: Lease, sent: Lease): boolean {
    return current.leaseOwner === this.o.workerId && current.leaseCounter === sent.leaseCounter + 1;
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
      if (current.leaseOwner === this.o.workerId && current.leaseCounter === sent.leaseCounter) {
        // The condition failed yet nothing moved (a stale read somewhere): try again, still within budget.
        if (!(await this.backoff(key, spec.operation, attempt, undefined, signal))) return ABORTED;
        continue;
      }
      const stolen = current.leaseOwner !== undefined && current.leaseOwner !== this.o.workerId;
      return this.lose(key, h, stolen ? "stolen" : spec.fenced, current);
    }
  }

  private applied(key: string, spec: WriteSpec, lease: Lease, sentAt: number, holding: Held): Outcome<Lease> {
    const h = this.held.get(key) === holding ? holding : undefined;
    if (!spec.keep && h) {
      this.held.delete(key);
      this.withdrawOffer(h);
      this.o.output({ type: "released", lease });
    } else if (h) {
      h.lease = lease;
      h.lastChangeAt = sentAt;
      if (spec.operation === "renew") this.o.output({ type: "renewed", lease });
    }
    const outcome = { ok: true, value: structuredClone(lease) } as const;
    if (h?.lease === lease) this.settleOffer(h, spec.operation === "renew" ? outcome : undefined);
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
      this.held.delete(key);
      this.withdrawOffer(holding);
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
