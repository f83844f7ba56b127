// The assigner election (assigner mode): the KCL 3.x `Leader` lock row, claimed and heartbeated with
// conditional writes on its recordVersionNumber, and judged dead by the same observer-local rule as a
// lease: its recordVersionNumber unchanged, on this observer's monotonic clock, for its leaseDuration.
// The leader names a standby that checks the row often; every other worker checks it rarely.
import type { Clock } from "../../core/clock.ts";
import { type Random, randomSuffix } from "../../core/random.ts";
import type { AssignmentStore, LeaderRow } from "../assignment-store.ts";

export interface LeaderElectionOptions {
  store: AssignmentStore;
  workerId: string;
  clock: Clock;
  random: Random;
  /** The lock's leaseDuration: a leader silent this long may be replaced. */
  durationMs: number;
  /** The leader's heartbeat cadence. */
  heartbeatMs: number;
  /** How often the standby reads the row. */
  standbyCheckMs: number;
  /** How often every other worker reads the row. */
  checkMs: number;
  /**
   * While the leader holds a lease its standby can watch (true), liveness is that lease's renewals: the
   * row is heartbeated only every rareHeartbeatMs with leaseDuration rareDurationMs (the Java KCL 3.x
   * lock's 30 s and 2 min), costing the 3.x lock's writes. Otherwise every heartbeatMs for durationMs.
   */
  watchable?: () => boolean;
  rareHeartbeatMs?: number;
  rareDurationMs?: number;
}

export class LeaderElection {
  private row: LeaderRow | undefined;
  private seen: { rvn: string; at: number } | undefined;
  private leading = false;
  /** Monotonic time of the last heartbeat that applied (a leader that cannot write stops leading). */
  private beatAt = Number.NEGATIVE_INFINITY;
  private lastTickAt = Number.NEGATIVE_INFINITY;
  /** When the row this leader writes first named its current standby. */
  private standbySince = 0;
  /** The worker the leader wants as its successor (set by the assigner from its live workers). */
  standby: string | undefined;
  /**
   * Set while this standby watches the leader through one of its leases (a probe after every second
   * renewal, half a read unit, instead of a consistent read of the row every standby interval): the row
   * is then read only at the others' cadence, and the lease's verdict claims it (claimSilent).
   */
  watchingLease = false;

  constructor(private readonly o: LeaderElectionOptions) {}

  /** True while this worker holds the lock and its last heartbeat is younger than the lock's duration. */
  isLeader(): boolean {
    const duration = this.row?.leaseDuration ?? this.o.durationMs;
    return this.leading && this.o.clock.monotonic() - this.beatAt < duration;
  }

  /**
   * The row this leader writes next is the rare kind (see watchable): only once the row has named the
   * same standby for the lock's duration, so that standby has had the time to start watching the lease.
   */
  private rare(): boolean {
    return (
      this.o.watchable?.() === true &&
      this.o.rareHeartbeatMs !== undefined &&
      this.standby !== undefined &&
      this.row?.standby === this.standby &&
      this.o.clock.monotonic() - this.standbySince >= this.o.durationMs
    );
  }

  /** Heartbeat (leader) or read the row (others) at the next step rather than at the usual cadence. */
  soon(): void {
    this.lastTickAt = Number.NEGATIVE_INFINITY;
  }

  /** When the next tick is due (monotonic). */
  nextAt(): number {
    if (this.leading) {
      // A rare row stays rare while the lease is watchable; once it is not, heartbeat now, frequently.
      const rareRow =
        this.row?.leaseDuration === this.o.rareDurationMs && this.o.rareDurationMs !== this.o.durationMs;
      const every = rareRow && this.rare() ? this.o.rareHeartbeatMs! : this.o.heartbeatMs;
      return this.lastTickAt + every;
    }
    // Watch closely when named standby, or while no standby is named yet (a new fleet, a new leader).
    const standby =
      !this.watchingLease &&
      (this.row === undefined || this.row.standby === undefined || this.row.standby === this.o.workerId);
    const next = this.lastTickAt + (standby ? this.o.standbyCheckMs : this.o.checkMs);
    // The standby checks again right after the lock would expire (as the taker does for leases).
    const expiry = standby && this.seen && this.row ? this.seen.at + this.row.leaseDuration + 1 : undefined;
    return expiry !== undefined && expiry > this.lastTickAt && expiry < next ? expiry : next;
  }

  /**
   * One election step: the leader heartbeats; others read the row and claim it when absent or silent for
   * its duration. Returns the previous holder when this step claimed the lock from a silent one (that
   * worker is dead by the rule above: its leases may be reassigned at once).
   */
  async tick(): Promise<{ claimedFrom?: string }> {
    this.lastTickAt = this.o.clock.monotonic();
    if (this.leading) {
      const next = this.nextRow();
      if (await this.o.store.writeLeader(this.row, next)) {
        if (next.standby !== this.row?.standby) this.standbySince = this.lastTickAt;
        this.row = next;
        this.beatAt = this.lastTickAt;
      } else {
        this.leading = false; // someone judged us dead and claimed it: stop assigning at once
        this.row = await this.o.store.getLeader();
        this.seen = undefined;
      }
      return {};
    }
    const row = await this.o.store.getLeader();
    const now = this.o.clock.monotonic();
    this.row = row;
    // No leader yet, or our own row from before a restart with the same worker id: claim it.
    if (!row || row.ownerName === this.o.workerId) {
      await this.claim(row, now);
      return {};
    }
    if (this.seen?.rvn !== row.recordVersionNumber) {
      this.seen = { rvn: row.recordVersionNumber, at: now };
      return {};
    }
    if (now - this.seen.at <= row.leaseDuration) return {};
    return (await this.claim(row, now)) ? { claimedFrom: row.ownerName } : {};
  }

  /** The worker holding the lock as last read, and whether it names this worker its standby. */
  leader(): { ownerName: string; standbyIsMe: boolean } | undefined {
    if (this.leading || !this.row) return undefined;
    return { ownerName: this.row.ownerName, standbyIsMe: this.row.standby === this.o.workerId };
  }

  /**
   * The standby's probe judged `silent`'s lease expired by the lease rule (unchanged for the failover
   * time on this observer's clock): claim the lock from it now, conditioned on the version read now. A
   * leader that still lives (its lease stuck, its row moving) loses the lock all the same and stops at
   * its next heartbeat, within one heartbeat interval.
   */
  async claimSilent(silent: string): Promise<{ claimedFrom?: string }> {
    if (this.leading) return {};
    this.lastTickAt = this.o.clock.monotonic();
    const row = await this.o.store.getLeader();
    this.row = row;
    if (!row || row.ownerName !== silent) return {};
    return (await this.claim(row, this.o.clock.monotonic())) ? { claimedFrom: silent } : {};
  }

  /** Graceful shutdown: delete the row if it is still ours, so the standby claims it without waiting. */
  async release(): Promise<void> {
    if (!this.leading || !this.row) return;
    this.leading = false;
    await this.o.store.releaseLeader(this.row);
  }

  private async claim(expected: LeaderRow | undefined, now: number): Promise<boolean> {
    const next = this.nextRow();
    if (!(await this.o.store.writeLeader(expected, next))) {
      this.row = await this.o.store.getLeader();
      this.seen = this.row && { rvn: this.row.recordVersionNumber, at: this.o.clock.monotonic() };
      return false;
    }
    this.row = next;
    this.leading = true;
    this.beatAt = now;
    return true;
  }

  private nextRow(): LeaderRow {
    return {
      ownerName: this.o.workerId,
      leaseDuration: this.rare() ? this.o.rareDurationMs! : this.o.durationMs,
      recordVersionNumber: randomSuffix(this.o.random, 12),
      ...(this.standby ? { standby: this.standby } : {}),
    };
  }
}
