// The lease taker: scans the table, folds the scan into the expiry observer, asks the pure planner
// what to take or steal, and executes that plan with counter-conditioned writes.
import { type Plan, type PlannedTake, planLeases } from "../balance/planner.ts";
import { backoffDelay, DYNAMODB_THROTTLE_BACKOFF } from "../core/backoff.ts";
import type { Clock } from "../core/clock.ts";
import { ThrottledError } from "../core/errors.ts";
import type { KclEventBody, LeaseView } from "../core/events.ts";
import type { Random } from "../core/random.ts";
import type { ExpiryObserver } from "./expiry-observer.ts";
import { type AssigningLeaseStore, type LeaderRow, supportsAssignment } from "./assignment-store.ts";
import { AssignerPresence, mixedAssignmentError } from "./assigner-presence.ts";
import { CapacityWarning } from "./capacity-warning.ts";
import { HandoffObserver } from "./handoff-observer.ts";
import { isFinished, isInHandoff, type Lease } from "./lease.ts";
import type { LeaseStore, Outcome } from "./store.ts";

export interface TakerOptions {
  store: LeaseStore;
  workerId: string;
  clock: Clock;
  random: Random;
  observer: ExpiryObserver;
  maxLeasesForWorker: number;
  maxLeasesToSteal: number;
  /** The taker cadence (reported as the retry delay when a scan is throttled). */
  takerIntervalMs: number;
  /** Keys of the leases the renewer holds right now. */
  heldKeys: () => ReadonlySet<string>;
  /** A take applied (`sentAt`: when it was sent): hand the lease to the renewer and tell the world. */
  acquired: (lease: Lease, take: PlannedTake, sentAt: number) => void;
  emit: (body: KclEventBody) => void;
  /** False once taking has stopped (graceful shutdown): remaining planned takes are skipped. */
  taking: () => boolean;
  /**
   * How long a graceful handoff may stay unfinished, on this taker's clock, before the lease counts as
   * available (a normal take then clears it). The old owner transfers by its shutdown timeout.
   */
  handoffTimeoutMs: number;
  /** The lease table's name (named in the refusal when a live assigner coordinates it). */
  table?: string;
}

/** Attempts per take on throttling: a take that keeps failing waits for the next round instead. */
const TAKE_ATTEMPTS = 3;

export class LeaseTaker {
  private scan: { leases: Lease[]; liveWorkers: string[] } | undefined;
  private readonly capacity: CapacityWarning;
  private readonly handoffs: HandoffObserver;
  /** Handoffs this worker initiated and waits for (lease key → the old owner). */
  private readonly incoming = new Map<string, string>();
  /** Whether a live assigner coordinates the table (stores that can read its Leader row only). */
  private readonly presence = new AssignerPresence();
  private readonly assigning: AssigningLeaseStore | undefined;
  /** The stale leader row this taker already reported (its recordVersionNumber). */
  private staleReported: string | undefined;
  /** Earliest future monotonic time at which a lease owned by another worker would expire. */
  nextExpiryAt: number | undefined;

  constructor(private readonly o: TakerOptions) {
    this.handoffs = new HandoffObserver(o.handoffTimeoutMs);
    this.capacity = new CapacityWarning(o.maxLeasesForWorker, o.emit);
    this.assigning = supportsAssignment(o.store) ? o.store : undefined;
  }

  /** True while a handoff this worker initiated has not been transferred to it yet. */
  get awaitingHandoffs(): boolean {
    return this.incoming.size > 0;
  }

  /**
   * Reads each lease this worker asked for (one GetItem each) and takes those the old owner has
   * transferred: the next owner starts right after the transfer, not at its next full scan.
   */
  async pollHandoffs(): Promise<void> {
    for (const [key, from] of [...this.incoming]) {
      if (!this.o.taking()) return;
      const row = await this.o.store.getLease(key);
      if (!row || row.leaseOwner !== this.o.workerId) this.incoming.delete(key);
      else if (!isInHandoff(row)) await this.execute([{ lease: row, how: "stolen", previousOwner: from }], 1);
    }
  }

  latestScan(): { leases: Lease[]; liveWorkers: string[] } | undefined {
    return (
      this.scan && {
        leases: this.scan.leases.map((l) => structuredClone(l)),
        liveWorkers: [...this.scan.liveWorkers],
      }
    );
  }

  /**
   * One round. Throws what the store throws for the scan (the caller logs and tries next round), and
   * the ConfigurationError of mixedAssignmentError when a live assigner coordinates the table.
   */
  async tick(): Promise<Plan | undefined> {
    let leases: Lease[];
    let leader: LeaderRow | undefined;
    try {
      // The same one Scan: a store that can read the Leader row returns it beside the leases.
      if (this.assigning) ({ leases, leader } = await this.assigning.scanTable());
      else leases = await this.o.store.listLeases();
    } catch (e) {
      if (!(e instanceof ThrottledError)) throw e;
      this.o.emit({ type: "throttled", operation: "Scan", retryInMs: this.o.takerIntervalMs });
      return undefined; // Java skips the round too: the next one comes soon enough.
    }
    const now = this.o.clock.monotonic();
    const mayTake = await this.judgeAssigner(leader, now);
    this.o.observer.observe(leases, now);
    this.handoffs.observe(leases, now);
    const held = this.o.heldKeys();
    const expired = new Set<string>();
    let nextExpiry: number | undefined;
    for (const lease of leases) {
      if (lease.leaseOwner !== this.o.workerId) this.incoming.delete(lease.leaseKey);
      // Leases we renew (our own, or ones we are handing over) are judged by the renewer, not here.
      if (!lease.leaseOwner || held.has(lease.leaseKey)) continue;
      if (isInHandoff(lease) && this.handoffs.timedOut(lease, now)) {
        expired.add(lease.leaseKey);
      } else if (this.o.observer.isExpired(lease, now)) {
        expired.add(lease.leaseKey);
        const report = this.o.observer.expiryReport(lease, now);
        if (report) this.o.emit(report);
      } else if (!isFinished(lease)) {
        const at = this.o.observer.expiresAt(lease);
        if (at !== undefined && (nextExpiry === undefined || at < nextExpiry)) nextExpiry = at;
      }
    }
    this.nextExpiryAt = nextExpiry;

    const plan = planLeases({
      me: this.o.workerId,
      leases,
      held,
      expired,
      maxLeasesForWorker: this.o.maxLeasesForWorker,
      maxLeasesToSteal: this.o.maxLeasesToSteal,
      random: this.o.random,
    });
    this.scan = { leases, liveWorkers: plan.liveWorkers };
    this.o.emit({ type: "lease-table-scanned", leases: leases.map(toView), liveWorkers: plan.liveWorkers });
    this.capacity.report(plan.capacityShortfall, plan.liveWorkers.length);
    if (!this.o.taking() || !mayTake) return plan;
    await this.execute(plan.takes, plan.wantTakes);
    await this.initiate(plan.steals, plan.wantSteals);
    return plan;
  }

  /**
   * A live assigner (its Leader row heartbeated) assigns every lease: taking beside it is refused
   * (thrown). While a row has not been seen to change yet, nothing is taken (false); an abandoned one
   * (unchanged past its leaseDuration) is reported, deleted on condition that it is still unchanged
   * (as the lock's own contenders would claim it), and does not block this taker.
   */
  private async judgeAssigner(leader: LeaderRow | undefined, now: number): Promise<boolean> {
    const verdict = this.presence.observe(leader, now);
    if (verdict === "none") return true;
    if (verdict === "live") throw mixedAssignmentError(this.o.table ?? "(lease table)", leader!);
    if (verdict === "unknown") return false;
    if (this.staleReported !== leader!.recordVersionNumber) {
      this.staleReported = leader!.recordVersionNumber;
      const deleted = await this.assigning!.releaseLeader(leader!).catch(() => false);
      this.o.emit({
        type: "warning",
        message:
          `lease table ${this.o.table ?? "(lease table)"} has a stale Leader row (held by ${leader!.ownerName}, ` +
          `unchanged for more than its leaseDuration of ${leader!.leaseDuration} ms): an earlier ` +
          `--lease-assignment assigner fleet left it; taking leases in taker mode${deleted ? " (row deleted)" : ""}`,
      });
    }
    return true;
  }

  /**
   * Planned moves are graceful handoffs (KCL 3.x): ask the owner to hand the lease over, instead of
   * taking it under a processor that is still delivering. It starts here once the owner transferred it.
   */
  private async initiate(candidates: PlannedTake[], want: number): Promise<void> {
    let got = 0;
    for (const take of candidates) {
      if (got >= want || !this.o.taking()) return;
      let outcome: Outcome<Lease>;
      try {
        outcome = await this.o.store.initiateHandoff(take.lease, this.o.workerId);
      } catch (e) {
        if (!(e instanceof ThrottledError)) throw e;
        return; // the next round plans again
      }
      if (!outcome.ok) continue;
      got += 1;
      const from = take.lease.leaseOwner!;
      this.incoming.set(take.lease.leaseKey, from);
      this.handoffs.begun(outcome.value, this.o.clock.monotonic());
      this.o.emit({
        type: "lease-handoff-initiated",
        leaseKey: take.lease.leaseKey,
        from,
        leaseCounter: outcome.value.leaseCounter,
      });
    }
  }

  /** Tries candidates in order until `want` took: a lost race falls through to the next candidate. */
  private async execute(candidates: PlannedTake[], want: number): Promise<void> {
    let got = 0;
    for (const planned of candidates) {
      if (got >= want || !this.o.taking()) return;
      // The end of a handoff we asked for: report it as the steal it is (unless it timed out or expired).
      const transferred = !isInHandoff(planned.lease);
      const from = transferred ? this.incoming.get(planned.lease.leaseKey) : undefined;
      this.incoming.delete(planned.lease.leaseKey);
      const take: PlannedTake = from ? { ...planned, how: "stolen", previousOwner: from } : planned;
      const sentAt = this.o.clock.monotonic();
      const outcome = await this.takeOne(take.lease);
      if (!outcome?.ok) continue;
      got += 1;
      this.o.observer.touch(outcome.value, sentAt);
      this.o.acquired(outcome.value, take, sentAt);
    }
  }

  /**
   * Throttling is retried a few times; a conflict after a throttled attempt is re-read, because that
   * attempt may have applied (an SDK retry that succeeded but reported failure).
   */
  private async takeOne(lease: Lease): Promise<Outcome<Lease> | undefined> {
    let uncertain = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.o.store.takeLease(lease, this.o.workerId);
        if (outcome.ok || !uncertain) return outcome;
        const current = outcome.current ?? (await this.o.store.getLease(lease.leaseKey));
        const ours =
          current?.leaseOwner === this.o.workerId && current.leaseCounter === lease.leaseCounter + 1;
        return ours ? { ok: true, value: current } : outcome;
      } catch (e) {
        if (!(e instanceof ThrottledError) || attempt >= TAKE_ATTEMPTS) return undefined;
        uncertain = true;
        const delay = backoffDelay(DYNAMODB_THROTTLE_BACKOFF, attempt, this.o.random);
        this.o.emit({
          type: "throttled",
          operation: "takeLease",
          leaseKey: lease.leaseKey,
          retryInMs: delay,
        });
        await this.o.clock.sleep(delay);
      }
    }
  }
}

export function toView(lease: Lease): LeaseView {
  const view: LeaseView = {
    leaseKey: lease.leaseKey,
    leaseCounter: lease.leaseCounter,
    checkpoint: lease.checkpoint.sequenceNumber,
    checkpointSubSequenceNumber: lease.checkpoint.subSequenceNumber,
    parentShardIds: [...lease.parentShardIds],
    childShardIds: [...lease.childShardIds],
    ownerSwitchesSinceCheckpoint: lease.ownerSwitchesSinceCheckpoint,
  };
  if (lease.leaseOwner !== undefined) view.leaseOwner = lease.leaseOwner;
  if (lease.checkpointOwner !== undefined) view.checkpointOwner = lease.checkpointOwner;
  return view;
}
