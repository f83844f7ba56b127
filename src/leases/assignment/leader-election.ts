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
}

export class LeaderElection {
  private row: LeaderRow | undefined;
  private seen: { rvn: string; at: number } | undefined;
  private leading = false;
  /** Monotonic time of the last heartbeat that applied (a leader that cannot write stops leading). */
  private beatAt = Number.NEGATIVE_INFINITY;
  private lastTickAt = Number.NEGATIVE_INFINITY;
  /** The worker the leader wants as its successor (set by the assigner from its live workers). */
  standby: string | undefined;

  constructor(private readonly o: LeaderElectionOptions) {}

  /** True while this worker holds the lock and its last heartbeat is younger than the lock's duration. */
  isLeader(): boolean {
    return this.leading && this.o.clock.monotonic() - this.beatAt < this.o.durationMs;
  }

  /** When the next tick is due (monotonic). */
  nextAt(): number {
    if (this.leading) return this.lastTickAt + this.o.heartbeatMs;
    // Watch closely when named standby, or while no standby is named yet (a new fleet, a new leader).
    const standby =
      this.row === undefined || this.row.standby === undefined || this.row.standby === this.o.workerId;
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
      leaseDuration: this.o.durationMs,
      recordVersionNumber: randomSuffix(this.o.random, 12),
      ...(this.standby ? { standby: this.standby } : {}),
    };
  }
}
