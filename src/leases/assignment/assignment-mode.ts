// Assigner mode's loop (replaces the taker loop; the renewer is unchanged): the election step, the
// assigner round while this worker leads, this worker's liveness row, its owner-index Query, and the
// reads of leases it was told about. Each on its own cadence, in one loop that sleeps until the next.
import type { Clock } from "../../core/clock.ts";
import { AbortedError, describeError } from "../../core/errors.ts";
import type { KclEventBody } from "../../core/events.ts";
import type { Random } from "../../core/random.ts";
import type { AssigningLeaseStore } from "../assignment-store.ts";
import type { LeaseScan } from "../coordinator.ts";
import { HANDOFF_POLL_MS } from "../coordinator-loops.ts";
import type { ExpiryObserver } from "../expiry-observer.ts";
import { isFinished, isInHandoff, type Lease } from "../lease.ts";
import type { Assigner } from "./assigner.ts";
import { assignmentParts } from "./assignment-parts.ts";
import { type HolderProbes, PHASE_MARGIN_MS } from "./holder-probes.ts";
import type { LeaseDiscoverer } from "./discoverer.ts";
import type { LeaderElection } from "./leader-election.ts";
import {
  FAST_LEARN_MS,
  HOLDER_QUERY_FACTOR,
  PROBE_ROW_BYTES,
  STANDBY_NOTICE,
  WORKER_ROW_MS,
} from "./cadences.ts";
import type { LeaderWatch } from "./leader-watch.ts";

export interface AssignmentModeOptions {
  store: AssigningLeaseStore;
  workerId: string;
  clock: Clock;
  random: Random;
  observer: ExpiryObserver;
  failoverMs: number;
  renewIntervalMs: number;
  assignerIntervalMs: number;
  /** Full-table scan cadence; above assignerIntervalMs, holder probes run in between. */
  assignerScanMs: number;
  ownerQueryMs: number;
  maxLeasesForWorker: number;
  handoffTimeoutMs: number;
  heldKeys: () => ReadonlySet<string>;
  taking: () => boolean;
  /** Start renewing a lease that is now ours. */
  adopt: (lease: Lease, how: "unowned" | "expired" | "released" | "stolen", previousOwner?: string) => void;
  /** Runs a renewal round now (after adopting discovered leases). */
  renewNow: () => void;
  emit: (body: KclEventBody) => void;
  warn: (message: string) => void;
}

export class AssignmentMode {
  private readonly election: LeaderElection;
  private readonly assigner: Assigner;
  private readonly discoverer: LeaseDiscoverer;
  private scanAt = 0;
  private rowAt = 0;
  private queriedAt = Number.NEGATIVE_INFINITY;
  private wake: AbortController | undefined;
  private wasLeader = false;
  private readonly probes: HolderProbes;
  /** The standby's watch on the leader, through one of its leases. */
  private readonly leaderWatch: LeaderWatch;
  private fullScanAt = 0;

  constructor(private readonly o: AssignmentModeOptions) {
    const parts = assignmentParts(o, { fastLearners: () => this.fastLearners() });
    this.election = parts.election;
    this.probes = parts.probes;
    this.leaderWatch = parts.leaderWatch;
    this.discoverer = parts.discoverer;
    this.assigner = parts.assigner;
  }

  isAssigner(): boolean {
    return this.election.isLeader();
  }

  /** Assignment notices read back by one of our renewals: read those leases now, not at the next Query. */
  notice(keys: readonly string[]): void {
    // The assigner named this worker its standby: read the row now, and start watching the leader.
    if (keys.includes(STANDBY_NOTICE)) this.election.soon();
    this.discoverer.notice(keys.filter((k) => k !== STANDBY_NOTICE));
    this.wake?.abort();
  }

  latestScan(): LeaseScan | undefined {
    return this.isAssigner() ? this.assigner.latestScan() : undefined;
  }

  /** Wakes the loop (stopTaking). */
  interrupt(): void {
    this.wake?.abort();
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.o.taking()) {
      await this.step();
      const wake = new AbortController();
      this.wake = wake;
      const onAbort = () => wake.abort();
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        await this.o.clock.sleep(Math.max(0, this.nextAt() - this.o.clock.monotonic()), wake.signal);
      } catch (e) {
        if (!(e instanceof AbortedError)) throw e;
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
    }
    // A graceful stop hands the role on at once and marks this worker gone (a stale row: the assigner
    // gives it nothing more); a crash (abort without stopTaking) leaves both to expire.
    if (!this.o.taking()) {
      await this.guard("leader release", () => this.election.release());
      await this.guard("worker row", () =>
        this.o.store.writeWorkerRow({ workerId: this.o.workerId, lut: 0 }),
      );
    }
  }

  /** Everything that is due, once (the loop's body; simulations call it directly). */
  async step(): Promise<void> {
    const now = () => this.o.clock.monotonic();
    if (now() >= this.election.nextAt()) await this.guard("leader election", () => this.elect());
    if (!this.isAssigner())
      await this.guard("leader watch", async () => {
        const claimedFrom = await this.leaderWatch.step();
        if (claimedFrom) this.elected(claimedFrom);
      });
    if (this.isAssigner() && now() >= this.scanAt) await this.guard("assigner round", () => this.assign());
    if (now() >= this.rowAt) {
      this.rowAt = now() + WORKER_ROW_MS;
      const lut = Math.floor(this.o.clock.now() / 1000);
      await this.guard("worker row", () => this.o.store.writeWorkerRow({ workerId: this.o.workerId, lut }));
    }
    if (now() >= this.queryAt()) {
      this.queriedAt = now();
      await this.guard("owner index query", () => this.discoverer.query());
    }
    if (this.discoverer.hasPending) {
      await this.guard("lease discovery", async () => {
        // The assigner judges a lease by its counter since its take, not since we found it: renew the
        // adopted ones now rather than at the next renewal round.
        if ((await this.discoverer.check()) > 0) this.o.renewNow();
      });
    }
  }

  /** The next owner-index Query: soon while holding nothing (new, or all moved away), else a backstop. */
  private queryAt(): number {
    const factor = this.o.heldKeys().size > 0 ? HOLDER_QUERY_FACTOR : 1;
    return this.queriedAt + factor * this.o.ownerQueryMs;
  }

  private nextAt(): number {
    let at = Math.min(this.election.nextAt(), this.rowAt, this.queryAt());
    const watch = this.leaderWatch.nextAt();
    if (watch !== undefined) at = Math.min(at, watch);
    if (this.isAssigner()) at = Math.min(at, this.scanAt);
    if (this.discoverer.hasPending) at = Math.min(at, this.o.clock.monotonic() + HANDOFF_POLL_MS);
    return at;
  }

  private async elect(): Promise<void> {
    const { claimedFrom } = await this.election.tick();
    this.elected(claimedFrom);
  }

  private elected(claimedFrom: string | undefined): void {
    const leading = this.election.isLeader();
    if (leading && !this.wasLeader) {
      this.scanAt = this.o.clock.monotonic();
      // The silent leader we replaced is dead by the lock's rule: its leases need no second wait.
      if (claimedFrom) this.assigner.markDead(claimedFrom);
    }
    if (!leading && this.wasLeader) this.assigner.forget();
    // Operators want to know which worker scans and assigns (the Java KCL logs its leader election).
    if (leading !== this.wasLeader) {
      this.o.emit({
        type: "assigner-role",
        assigner: leading,
        ...(leading && claimedFrom ? { replaced: claimedFrom } : {}),
      });
    }
    this.wasLeader = leading;
  }

  private async assign(): Promise<void> {
    const now = this.o.clock.monotonic();
    this.scanAt = now + this.o.assignerIntervalMs;
    const probing = this.o.assignerScanMs > this.o.assignerIntervalMs;
    if (probing && now < this.fullScanAt && this.probesCheaper()) {
      const dead = await this.probes.probe();
      if (dead.length === 0) return this.wakeForProbes();
      // A worker silent for the failover time: scan now and reassign everything it held.
      for (const d of dead) this.assigner.markDead(d);
    }
    const plan = await this.assigner.round();
    this.fullScanAt = this.o.clock.monotonic() + this.o.assignerScanMs;
    // A round that moved leases (or could not balance: leases whose new owner has not renewed them yet
    // are pinned, and a worker that looked silent gets nothing) is checked by another scan once the
    // owners have renewed, not a full interval on. A steady fleet scans at the full interval.
    const moved = plan && (plan.assignments.length > 0 || plan.handoffs.length > 0);
    if (plan && (moved || !withinOne(plan.counts))) {
      this.fullScanAt = Math.min(this.fullScanAt, this.o.clock.monotonic() + 2 * this.o.renewIntervalMs);
    }
    const last = this.assigner.lastRound;
    if (plan) await this.nameStandby(successor(plan.workers, this.o.workerId), last?.leases ?? []);
    if (probing && last) this.probes.reset(last.leases, last.expired, this.o.observer);
    if (probing && this.probesCheaper()) return this.wakeForProbes();
    // Scanning every round: wake right after the earliest predicted expiry, as the taker does, so
    // takeover is failover + ε.
    this.wakeAt(this.assigner.nextExpiryAt);
  }

  /**
   * A new standby is written to the row at once (a heartbeat now) and told through a notice on a lease
   * it holds, which its next renewal reads back: a worker that is not the standby reads the row only
   * every LEADER_CHECK_MS. (Holding none, it reads the row closely anyway while no standby is named.)
   */
  private async nameStandby(next: string | undefined, leases: readonly Lease[]): Promise<void> {
    if (next === this.election.standby) return;
    this.election.standby = next;
    this.election.soon();
    const holder = leases.find(
      (l) => l.leaseOwner === next && !isInHandoff(l) && !isFinished(l) && l.checkpointOwner === undefined,
    );
    if (next && holder) await this.o.store.notifyAssigned(holder.leaseKey, next, [STANDBY_NOTICE]);
  }

  /**
   * Probing pays only while one read per holder per renew interval costs less than a scan every
   * assigner interval (few workers, many leases).
   */
  private probesCheaper(): boolean {
    const leases = this.assigner.lastRound?.leases.length ?? 0;
    const pages = Math.ceil((leases * PROBE_ROW_BYTES) / 4096);
    return (
      this.probes.size > 0 && this.probes.size * this.o.assignerIntervalMs < pages * this.probes.periodMs
    );
  }

  /** Holders whose phase says they read a notice within FAST_LEARN_MS; undefined when not probing. */
  private fastLearners(): ReadonlySet<string> | undefined {
    if (!(this.o.assignerScanMs > this.o.assignerIntervalMs)) return undefined;
    // A new assigner's first round (it just replaced a silent one): no phase known yet; it takes the
    // expired leases itself, learning at once, and its plan hands the surplus on gracefully.
    if (!this.assigner.lastRound) return new Set();
    if (!this.probesCheaper()) return undefined;
    const fast = new Set<string>();
    for (const w of this.probes.holders()) {
      const within = this.probes.learnsWithin(w);
      // Not one whose renewal may be under way already (its phase is known to within the margin).
      if (within !== undefined && within >= PHASE_MARGIN_MS && within <= FAST_LEARN_MS) fast.add(w);
    }
    return fast;
  }

  /** Next round: the next probe due (each holder right after its renewal), or the next full scan. */
  private wakeForProbes(): void {
    this.scanAt = Math.min(this.probes.nextDueAt() ?? this.fullScanAt, this.fullScanAt);
  }

  private wakeAt(at: number | undefined): void {
    if (at !== undefined && at >= this.o.clock.monotonic() && at + 1 < this.scanAt) this.scanAt = at + 1;
  }

  private async guard(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.o.warn(`${what} failed: ${describeError(e)}`);
    }
  }
}

/** Every worker within one lease of every other once the plan has applied. */
function withinOne(counts: Record<string, number>): boolean {
  const n = Object.values(counts);
  return n.length === 0 || Math.max(...n) - Math.min(...n) <= 1;
}

/** The live worker after `me` in id order (wrapping): the leader's named standby. */
function successor(workers: readonly string[], me: string): string | undefined {
  const others = workers.filter((w) => w !== me).sort();
  return others.find((w) => w > me) ?? others[0];
}
