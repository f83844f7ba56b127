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
import type { Lease } from "../lease.ts";
import { Assigner } from "./assigner.ts";
import { HolderProbes } from "./holder-probes.ts";
import { LeaseDiscoverer } from "./discoverer.ts";
import { LeaderElection } from "./leader-election.ts";

/** KCL 3.x cadences: worker rows every 30 s, stale after 2 × that; non-standby leader checks every 30 s. */
export const WORKER_ROW_MS = 30_000;
export const LEADER_CHECK_MS = 30_000;
/** A lease row's size for the probe-or-scan choice (kcl-ts rows are ≈ 335 B; checkpoints vary). */
const PROBE_ROW_BYTES = 400;

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
  private queryAt = 0;
  private wake: AbortController | undefined;
  private wasLeader = false;
  private readonly probes: HolderProbes;
  private fullScanAt = 0;

  constructor(private readonly o: AssignmentModeOptions) {
    this.election = new LeaderElection({
      store: o.store,
      workerId: o.workerId,
      clock: o.clock,
      random: o.random,
      durationMs: o.failoverMs,
      heartbeatMs: o.renewIntervalMs,
      standbyCheckMs: o.assignerIntervalMs,
      checkMs: LEADER_CHECK_MS,
    });
    this.probes = new HolderProbes({
      store: o.store,
      clock: o.clock,
      failoverMs: o.failoverMs,
      workerId: o.workerId,
    });
    this.discoverer = new LeaseDiscoverer({
      store: o.store,
      workerId: o.workerId,
      heldKeys: o.heldKeys,
      taking: o.taking,
      // A lease that was in handoff to us reports the steal it is; an assignment cannot tell an expired
      // lease from a released one, so a counter above 1 (taken before) reads as expired.
      adopt: (lease, from) =>
        from
          ? o.adopt(lease, "stolen", from)
          : o.adopt(lease, lease.leaseCounter > 1 ? "expired" : "unowned"),
    });
    this.assigner = new Assigner({
      store: o.store,
      workerId: o.workerId,
      clock: o.clock,
      observer: o.observer,
      renewIntervalMs: o.renewIntervalMs,
      maxLeasesForWorker: o.maxLeasesForWorker,
      workerStaleMs: 2 * WORKER_ROW_MS,
      handoffTimeoutMs: o.handoffTimeoutMs,
      intervalMs: o.assignerIntervalMs,
      heldKeys: o.heldKeys,
      taking: o.taking,
      acquiredSelf: (lease, how, previousOwner) => o.adopt(lease, how, previousOwner),
      handoffToSelf: (key) => this.discoverer.notice([key]),
      emit: o.emit,
    });
  }

  isAssigner(): boolean {
    return this.election.isLeader();
  }

  /** Assignment notices read back by one of our renewals: read those leases now, not at the next Query. */
  notice(keys: readonly string[]): void {
    this.discoverer.notice(keys);
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
    if (this.isAssigner() && now() >= this.scanAt) await this.guard("assigner round", () => this.assign());
    if (now() >= this.rowAt) {
      this.rowAt = now() + WORKER_ROW_MS;
      const lut = Math.floor(this.o.clock.now() / 1000);
      await this.guard("worker row", () => this.o.store.writeWorkerRow({ workerId: this.o.workerId, lut }));
    }
    if (now() >= this.queryAt) {
      this.queryAt = now() + this.o.ownerQueryMs;
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

  private nextAt(): number {
    let at = Math.min(this.election.nextAt(), this.rowAt, this.queryAt);
    if (this.isAssigner()) at = Math.min(at, this.scanAt);
    if (this.discoverer.hasPending) at = Math.min(at, this.o.clock.monotonic() + HANDOFF_POLL_MS);
    return at;
  }

  private async elect(): Promise<void> {
    const { claimedFrom } = await this.election.tick();
    const leading = this.election.isLeader();
    if (leading && !this.wasLeader) {
      this.scanAt = this.o.clock.monotonic();
      // The silent leader we replaced is dead by the lock's rule: its leases need no second wait.
      if (claimedFrom) this.assigner.markDead(claimedFrom);
    }
    if (!leading && this.wasLeader) this.assigner.forget();
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
    if (plan) this.election.standby = successor(plan.workers, this.o.workerId);
    const last = this.assigner.lastRound;
    if (probing && last) this.probes.reset(last.leases, last.expired, this.o.observer);
    if (probing && this.probesCheaper()) return this.wakeForProbes();
    // Scanning every round: wake right after the earliest predicted expiry, as the taker does, so
    // takeover is failover + ε.
    this.wakeAt(this.assigner.nextExpiryAt);
  }

  /** Probing pays only while one read per holder costs less than a scan (few workers, many leases). */
  private probesCheaper(): boolean {
    const leases = this.assigner.lastRound?.leases.length ?? 0;
    return this.probes.size > 0 && this.probes.size < Math.ceil((leases * PROBE_ROW_BYTES) / 4096);
  }

  private wakeForProbes(): void {
    this.wakeAt(this.probes.nextExpiryAt());
    this.scanAt = Math.min(this.scanAt, this.fullScanAt);
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

/** The live worker after `me` in id order (wrapping): the leader's named standby. */
function successor(workers: readonly string[], me: string): string | undefined {
  const others = workers.filter((w) => w !== me).sort();
  return others.find((w) => w > me) ?? others[0];
}
