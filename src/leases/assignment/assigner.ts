// The fleet's assigner (assigner mode, run by the elected leader only): one Scan of the table, expiry by
// local observation (the same ExpiryObserver as the taker), live workers from leases and worker rows,
// the pure fleet plan, then conditional takes for the chosen workers, graceful handoffs to balance, and
// one notice per receiving worker on a lease it holds, which its next renewal reads back.
import { type FleetPlan, planFleet } from "../../balance/fleet-plan.ts";
import type { Clock } from "../../core/clock.ts";
import { ThrottledError } from "../../core/errors.ts";
import type { KclEventBody } from "../../core/events.ts";
import type { AssigningLeaseStore, TableSnapshot } from "../assignment-store.ts";
import type { LeaseScan } from "../coordinator.ts";
import type { ExpiryObserver } from "../expiry-observer.ts";
import { CapacityWarning } from "../capacity-warning.ts";
import { HandoffObserver } from "../handoff-observer.ts";
import { isFinished, isInHandoff, type Lease } from "../lease.ts";
import { toView } from "../taker.ts";

export interface AssignerOptions {
  store: AssigningLeaseStore;
  workerId: string;
  clock: Clock;
  observer: ExpiryObserver;
  renewIntervalMs: number;
  maxLeasesForWorker: number;
  /** A worker row older than this (by `lut`, epoch seconds, against this worker's wall clock) is stale. */
  workerStaleMs: number;
  handoffTimeoutMs: number;
  /** The retry delay reported when the scan is throttled. */
  intervalMs: number;
  heldKeys: () => ReadonlySet<string>;
  taking: () => boolean;
  /** A take for this worker itself applied: adopt it like a taker's take. */
  acquiredSelf: (lease: Lease, how: "unowned" | "expired" | "released", previousOwner?: string) => void;
  /** A handoff to this worker itself was initiated: wait for its transfer. */
  handoffToSelf: (leaseKey: string) => void;
  /**
   * Workers that will read a notice soon (their next renewal is due within a second, by their learned
   * phase); undefined when phases are not tracked. Expired leases go to them (and to the assigner itself,
   * which learns at once) so takeover does not wait a whole renew interval for the notice; balancing
   * then spreads the load by graceful handoffs.
   */
  fastLearners?: () => ReadonlySet<string> | undefined;
  emit: (body: KclEventBody) => void;
}

export class Assigner {
  private readonly handoffs: HandoffObserver;
  private scan: LeaseScan | undefined;
  /** Workers judged dead outside the lease rule (the silent leader whose lock we claimed). */
  private readonly dead = new Set<string>();
  /**
   * Workers seen silent (a lease of theirs expired), with their worker row's lut at the time: once their
   * leases have moved they would look live by a row that is merely not stale yet, so they stay out
   * until the row is written again.
   */
  private readonly silentAt = new Map<string, number>();
  /** Lease key → the owner and counter of the first scan that showed that owner. */
  private readonly ownedSince = new Map<string, { owner: string; counter: number }>();
  private readonly capacity: CapacityWarning;
  /** Lease owners reported as not assigner-mode workers (once each per leadership term). */
  private readonly foreign = new Set<string>();
  /** Earliest future monotonic time at which an observed lease would expire. */
  nextExpiryAt: number | undefined;
  /** The last round's scan and expiry verdicts (holder probes are chosen from them). */
  lastRound: { leases: readonly Lease[]; expired: ReadonlySet<string> } | undefined;

  constructor(private readonly o: AssignerOptions) {
    this.handoffs = new HandoffObserver(o.handoffTimeoutMs);
    this.capacity = new CapacityWarning(o.maxLeasesForWorker, o.emit);
  }

  latestScan(): LeaseScan | undefined {
    return (
      this.scan && {
        leases: this.scan.leases.map((l) => structuredClone(l)),
        liveWorkers: [...this.scan.liveWorkers],
      }
    );
  }

  /** Leadership lost: the next leader starts its own observations; ours must not leak into a later term. */
  forget(): void {
    this.scan = undefined;
    this.dead.clear();
    this.silentAt.clear();
    this.ownedSince.clear();
    this.foreign.clear();
    this.nextExpiryAt = undefined;
    this.lastRound = undefined;
  }

  /** The previous leader stopped heartbeating for its lock's duration: its leases go at once. */
  markDead(workerId: string): void {
    this.dead.add(workerId);
  }

  /** One round. Throws only what the scan throws (the caller logs it and tries again next round). */
  async round(): Promise<FleetPlan | undefined> {
    let snap: TableSnapshot;
    try {
      snap = await this.o.store.scanTable();
    } catch (e) {
      if (!(e instanceof ThrottledError)) throw e;
      this.o.emit({ type: "throttled", operation: "Scan", retryInMs: this.o.intervalMs });
      return undefined;
    }
    const now = this.o.clock.monotonic();
    const { leases } = snap;
    this.o.observer.observe(leases, now);
    this.handoffs.observe(leases, now);
    const held = this.o.heldKeys();
    const expired = new Set<string>();
    const alive = new Set<string>();
    const silent = new Set<string>();
    /** Per renewing worker: the shortest time any of its live leases has gone without a new counter. */
    const freshest = new Map<string, number>();
    let nextExpiry: number | undefined;
    for (const lease of leases) {
      if (!lease.leaseOwner) continue;
      // The worker that renews a lease in handoff is its old owner (checkpointOwner).
      const renewer = lease.checkpointOwner ?? lease.leaseOwner;
      if (held.has(lease.leaseKey)) {
        alive.add(this.o.workerId);
        continue;
      }
      if (isInHandoff(lease) && this.handoffs.timedOut(lease, now)) expired.add(lease.leaseKey);
      else if (this.dead.has(renewer) || this.o.observer.isExpired(lease, now)) {
        expired.add(lease.leaseKey);
        silent.add(renewer);
        const report = this.o.observer.expiryReport(lease, now);
        if (report) this.o.emit(report);
      } else {
        alive.add(renewer);
        const quiet = this.o.observer.unchangedFor(lease, now);
        if (quiet < (freshest.get(renewer) ?? Number.POSITIVE_INFINITY)) freshest.set(renewer, quiet);
        if (isFinished(lease)) continue;
        const at = this.o.observer.expiresAt(lease);
        if (at !== undefined && (nextExpiry === undefined || at < nextExpiry)) nextExpiry = at;
      }
    }
    this.nextExpiryAt = nextExpiry;
    // A worker none of whose leases moved for a renew interval plus a scan is probably dying: it gets
    // nothing now (else a crash would cost two failovers: its own, then that of what it was just given).
    const overdue = this.o.renewIntervalMs + this.o.intervalMs;
    for (const [w, quiet] of freshest) if (quiet > overdue && w !== this.o.workerId) silent.add(w);
    const workers = this.liveWorkers(snap, alive, silent);
    // Reachable at once: holders of a live lease they have renewed since it became theirs (so they know
    // they hold it), whose next renewal reads a notice back; and ourselves.
    // A lease its owner has not renewed yet (just assigned, just transferred) is pinned: moving it on
    // before the owner knows it holds it would leave it to nobody until it expires.
    const reachable = new Set<string>([this.o.workerId]);
    const pinned = new Set<string>();
    for (const l of leases) {
      if (!l.leaseOwner || isInHandoff(l) || isFinished(l) || expired.has(l.leaseKey)) continue;
      const since = this.ownedSince.get(l.leaseKey);
      if (since?.owner !== l.leaseOwner) {
        this.ownedSince.set(l.leaseKey, { owner: l.leaseOwner, counter: l.leaseCounter });
        if (!held.has(l.leaseKey)) pinned.add(l.leaseKey);
      } else if (l.leaseCounter > since.counter) reachable.add(l.leaseOwner);
      else if (!held.has(l.leaseKey)) pinned.add(l.leaseKey);
    }
    this.reportForeign(reachable, snap);
    const fast = expired.size > 0 ? this.o.fastLearners?.() : undefined;
    const receivers = fast
      ? new Set([...reachable].filter((w) => w === this.o.workerId || fast.has(w)))
      : reachable;
    const plan = planFleet({
      leases,
      workers,
      expired,
      maxLeasesForWorker: this.o.maxLeasesForWorker,
      reachable: receivers,
      pinned,
    });
    this.scan = { leases, liveWorkers: plan.workers };
    this.lastRound = { leases, expired };
    this.o.emit({ type: "lease-table-scanned", leases: leases.map(toView), liveWorkers: plan.workers });
    this.capacity.report(plan.capacityShortfall, plan.workers.length);
    if (!this.o.taking()) return plan;
    await this.execute(plan, leases, expired);
    return plan;
  }

  /**
   * Owners renewing leases without a worker row are not assigner-mode workers (a taker-mode kcl-ts, a
   * Java KCL 2.x worker): mixed modes take leases from each other. Reported, and this assigner keeps
   * going: stopping it would leave the table to a worker that does not follow assignments (and the
   * assigner-mode fleet to re-elect another assigner that would meet the same worker), while a
   * taker-mode kcl-ts worker stops by itself once it sees this leader row heartbeated (taker.ts).
   */
  private reportForeign(renewing: ReadonlySet<string>, snap: TableSnapshot): void {
    const rows = new Set(snap.workers.map((w) => w.workerId));
    for (const owner of renewing) {
      if (owner === this.o.workerId || rows.has(owner) || this.foreign.has(owner)) continue;
      this.foreign.add(owner);
      this.o.emit({
        type: "warning",
        message:
          `lease owner ${owner} keeps renewing leases but has no worker row: it is not a ` +
          "--lease-assignment assigner (or Java KCL 3.x) worker, and mixing modes on one lease table " +
          "makes workers take leases from each other. Stop it, or restart it with --lease-assignment " +
          "assigner; this assigner keeps assigning meanwhile.",
      });
    }
  }

  /**
   * Live: renewing a lease we have not seen expire, or a fresh worker row and no silent lease. The
   * assigner itself is live while it is taking.
   */
  private liveWorkers(snap: TableSnapshot, alive: Set<string>, silent: Set<string>): string[] {
    const live = new Set(alive);
    const nowSeconds = this.o.clock.now() / 1000;
    const rows = new Map(snap.workers.map((w) => [w.workerId, w.lut]));
    // A worker with an expired lease receives nothing (not even that lease back) until its row is
    // written again; its other leases stay with it until they expire by the lease rule.
    for (const w of silent) this.silentAt.set(w, rows.get(w) ?? 0);
    for (const [w, lut] of this.silentAt)
      if (!silent.has(w) && (rows.get(w) ?? lut) > lut) this.silentAt.delete(w);
    for (const w of this.silentAt.keys()) live.delete(w);
    for (const w of snap.workers) {
      if (this.silentAt.has(w.workerId) || this.dead.has(w.workerId)) continue;
      if (nowSeconds - w.lut <= this.o.workerStaleMs / 1000) live.add(w.workerId);
    }
    for (const d of this.dead) live.delete(d);
    if (this.o.taking()) live.add(this.o.workerId);
    else live.delete(this.o.workerId);
    return [...live];
  }

  private async execute(
    plan: FleetPlan,
    leases: readonly Lease[],
    expired: ReadonlySet<string>,
  ): Promise<void> {
    const notices = new Map<string, string[]>();
    const tell = (to: string, key: string) => notices.set(to, [...(notices.get(to) ?? []), key]);
    for (const a of plan.assignments) {
      if (!this.o.taking()) return;
      const sentAt = this.o.clock.monotonic();
      const outcome = await this.attempt(() => this.o.store.takeLease(a.lease, a.to));
      if (!outcome?.ok) continue;
      this.o.observer.touch(outcome.value, sentAt);
      if (a.to === this.o.workerId) this.o.acquiredSelf(outcome.value, a.how as "unowned", a.previousOwner);
      else tell(a.to, a.lease.leaseKey);
    }
    for (const h of plan.handoffs) {
      if (!this.o.taking()) return;
      const outcome = await this.attempt(() => this.o.store.initiateHandoff(h.lease, h.to));
      if (!outcome?.ok) continue;
      this.handoffs.begun(outcome.value, this.o.clock.monotonic());
      if (h.to !== this.o.workerId) {
        tell(h.to, h.lease.leaseKey);
        continue;
      }
      // lease-handoff-initiated is the receiving worker's event (as with the taker).
      this.o.emit({
        type: "lease-handoff-initiated",
        leaseKey: h.lease.leaseKey,
        from: h.from,
        leaseCounter: outcome.value.leaseCounter,
      });
      this.o.handoffToSelf(h.lease.leaseKey);
    }
    // One notice per receiving worker, on a live lease it renews; a worker holding none finds its new
    // leases by its owner-index Query instead.
    // Not a lease this plan moves away: its holder may transfer it before renewing it again.
    const moving = new Set(plan.handoffs.map((h) => h.lease.leaseKey));
    for (const [to, keys] of notices) {
      const holder = leases.find(
        (l) =>
          l.leaseOwner === to &&
          !isInHandoff(l) &&
          !isFinished(l) &&
          !expired.has(l.leaseKey) &&
          !moving.has(l.leaseKey) &&
          !keys.includes(l.leaseKey),
      );
      if (holder) await this.attempt(() => this.o.store.notifyAssigned(holder.leaseKey, to, keys));
    }
    for (const d of this.dead)
      if (!leases.some((l) => l.leaseOwner === d && !expired.has(l.leaseKey))) this.dead.delete(d);
  }

  /** A throttled write is left for the next round (which plans again from a fresh scan). */
  private async attempt<T>(write: () => Promise<T>): Promise<T | undefined> {
    try {
      return await write();
    } catch (e) {
      if (e instanceof ThrottledError) return undefined;
      throw e;
    }
  }
}
