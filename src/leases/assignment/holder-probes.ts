// Assigner mode's cheap liveness check between full scans (opt-in: --assigner-scan-ms above the assigner
// interval): eventually consistent GetItems of one live lease per lease-holding worker, each timed just
// after that holder's next renewal is due (its phase learned from when its counter was seen moving), so
// one read per renew interval suffices. A worker whose probed lease keeps its counter for the failover
// time, on the assigner's clock, is judged dead (the lease rule applied to that lease); the assigner then
// scans at once and reassigns all its leases. The phase only times the reads: never a verdict.
import type { Clock } from "../../core/clock.ts";
import type { AssignmentStore } from "../assignment-store.ts";
import type { ExpiryObserver } from "../expiry-observer.ts";
import { isFinished, isInHandoff, type Lease } from "../lease.ts";

/** A phase known to within this is good enough (one simulation step; a DynamoDB round trip or two). */
export const PHASE_MARGIN_MS = 250;

interface Probe {
  key: string;
  counter: number;
  /** Monotonic time this counter value was first seen (by the full scan or a probe): the lease rule's clock. */
  seenAt: number;
  /** The holder's latest renewal happened in (lo, hi] (its phase; only times the reads). */
  lo: number;
  hi: number;
  /** The last read (probe or scan) that showed this counter. */
  lastReadAt: number;
  /** When this holder is read next. */
  due: number;
}

export class HolderProbes {
  private readonly probes = new Map<string, Probe>();
  /** How often each holder is read (a multiple of its renew interval). */
  readonly periodMs: number;

  constructor(
    private readonly o: {
      store: AssignmentStore;
      clock: Clock;
      failoverMs: number;
      workerId: string;
      /** The holders' renew interval: the period of their counter changes. */
      renewIntervalMs: number;
      /** Read each holder after every this many of its renewals (1: after each). */
      everyRenewals: number;
    },
  ) {
    this.periodMs = o.everyRenewals * o.renewIntervalMs;
  }

  get size(): number {
    return this.probes.size;
  }

  /** After a full scan: one live lease per renewing worker, aged as the expiry observer saw it. */
  reset(leases: readonly Lease[], expired: ReadonlySet<string>, observer: ExpiryObserver): void {
    const now = this.o.clock.monotonic();
    const byKey = new Map(leases.map((l) => [l.leaseKey, l]));
    const usable = (l: Lease | undefined, owner: string): l is Lease =>
      l !== undefined &&
      l.leaseOwner === owner &&
      !isFinished(l) &&
      !isInHandoff(l) &&
      !expired.has(l.leaseKey);
    const before = new Map(this.probes);
    this.probes.clear();
    // A worker keeps its probed lease (and its learned phase) while it still holds it: a probe that still
    // reads the same counter has watched that value longer than the scan (a scan right after a crash must
    // not restart the clock).
    for (const [owner, kept] of before) {
      const l = byKey.get(kept.key);
      if (!usable(l, owner)) continue;
      if (l.leaseCounter === kept.counter) {
        const scanned = now - observer.unchangedFor(l, now);
        this.probes.set(owner, { ...kept, seenAt: Math.min(kept.seenAt, scanned), lastReadAt: now });
      } else this.probes.set(owner, this.fresh(l, now - observer.unchangedFor(l, now), now));
    }
    for (const l of leases) {
      const owner = l.leaseOwner;
      if (!owner || owner === this.o.workerId || this.probes.has(owner) || !usable(l, owner)) continue;
      this.probes.set(owner, this.fresh(l, now - observer.unchangedFor(l, now), now));
    }
  }

  /** Reads every probe that is due; returns the workers whose probed lease has not moved for the failover time. */
  async probe(): Promise<string[]> {
    const dead: string[] = [];
    for (const [worker, p] of [...this.probes]) {
      if (p.due > this.o.clock.monotonic()) continue;
      const readAt = this.o.clock.monotonic();
      const lease = await this.o.store.probeLease(p.key);
      const now = this.o.clock.monotonic();
      // Not that worker's live lease any more: no verdict from it (the next full scan picks another).
      if (!lease || lease.leaseOwner !== worker || isFinished(lease) || isInHandoff(lease)) {
        this.probes.delete(worker);
      } else if (lease.leaseCounter !== p.counter) {
        this.moved(p, lease.leaseCounter, readAt, now);
      } else if (now - p.seenAt > this.o.failoverMs) {
        dead.push(worker);
        this.probes.delete(worker);
      } else this.still(p, readAt);
    }
    return dead;
  }

  /** When the next probe is due (undefined: none). */
  nextDueAt(): number | undefined {
    let at: number | undefined;
    for (const p of this.probes.values()) if (at === undefined || p.due < at) at = p.due;
    return at;
  }

  /** The workers being probed. */
  holders(): string[] {
    return [...this.probes.keys()];
  }

  /**
   * How soon (at most, ms from now) this holder's next renewal is due, when its phase is known: an
   * assignment notice written now is read back by that renewal. Undefined: not probed, or phase not learned yet.
   */
  learnsWithin(worker: string): number | undefined {
    const p = this.probes.get(worker);
    if (!p || p.hi - p.lo > PHASE_MARGIN_MS) return undefined;
    const now = this.o.clock.monotonic();
    const r = this.o.renewIntervalMs;
    // The first renewal that cannot have happened yet (its whole window is after now); at most this far.
    return p.hi + Math.max(1, Math.ceil((now - p.lo) / r)) * r - now;
  }

  /** When the earliest probed lease would expire unless its counter moves (undefined: none). */
  nextExpiryAt(): number | undefined {
    let at: number | undefined;
    for (const p of this.probes.values())
      if (at === undefined || p.seenAt + this.o.failoverMs < at) at = p.seenAt + this.o.failoverMs;
    return at;
  }

  /** A lease first seen (by a scan) with this counter at `seenAt`: renewed within one renew interval before. */
  private fresh(l: Lease, seenAt: number, readAt: number): Probe {
    const r = this.o.renewIntervalMs;
    const p = {
      key: l.leaseKey,
      counter: l.leaseCounter,
      seenAt,
      lo: readAt - r,
      hi: seenAt,
      lastReadAt: readAt,
      due: 0,
    };
    if (p.lo >= p.hi) p.lo = p.hi - r;
    p.due = this.nextDue(p, readAt);
    return p;
  }

  /**
   * The counter moved by n since the last read that showed the old value: the latest renewal is n renew
   * intervals after the previous one's window, and after that read; and, none being due yet at this
   * read, after it less one interval. (A checkpoint between renewals also moves the counter: the window
   * comes out empty and restarts from the reads alone; verdicts never depend on it.)
   */
  private moved(p: Probe, counter: number, readAt: number, now: number): void {
    const r = this.o.renewIntervalMs;
    const n = counter - p.counter;
    let lo = Math.max(p.lastReadAt, p.lo + n * r, readAt - r);
    let hi = Math.min(readAt, p.hi + n * r);
    if (n <= 0 || lo >= hi) {
      lo = Math.max(p.lastReadAt, readAt - r);
      hi = readAt;
    }
    Object.assign(p, { counter, seenAt: now, lastReadAt: now, lo, hi });
    p.due = this.nextDue(p, now);
  }

  /** The counter had not moved at `readAt`: the next renewal is later (still in its window, or late). */
  private still(p: Probe, readAt: number): void {
    const r = this.o.renewIntervalMs;
    p.lastReadAt = readAt;
    if (readAt <= p.hi + r + PHASE_MARGIN_MS) {
      // Not due yet: the latest renewal was after readAt less one interval.
      p.lo = Math.max(p.lo, Math.min(readAt - r, p.hi - 1));
      p.due = this.nextDue(p, readAt);
      return;
    }
    // Late (slow, dying, or an extra counter change threw the phase off): read again half an interval
    // on, and at the latest right after the lease would expire, which gives the verdict.
    p.due = Math.min(readAt + r / 2, p.seenAt + this.o.failoverMs + 1);
  }

  /**
   * The renewal `everyRenewals` on from the latest is due in (lo, hi] plus the period. Known within the
   * margin: read at that window's end; otherwise at its middle (bisection: either answer halves the
   * window). Never later than right after the lease would expire, nor within the margin of the last read.
   */
  private nextDue(p: Probe, readAt: number): number {
    const width = p.hi - p.lo;
    const at = width <= PHASE_MARGIN_MS ? p.hi + this.periodMs : p.lo + this.periodMs + width / 2;
    return Math.max(readAt + PHASE_MARGIN_MS, Math.min(at, p.seenAt + this.o.failoverMs + 1));
  }
}
