// One lease this worker holds, as the status fold tracks it: mutable counters updated in O(1) per
// event, turned into a plain OwnedLeaseStatus only when a snapshot is taken.
import type { AcquireHow, LeaseView } from "../core/events.ts";
import { compareCheckpoints } from "../leases/lease.ts";
import { RateMeter, TrendRing } from "./meters.ts";
import type { CheckpointStatus, ErrorStatus, OwnedLeaseState, OwnedLeaseStatus } from "./types.ts";

export class HeldLease {
  state: OwnedLeaseState = "acquired";
  detail?: string;
  checkpoint?: CheckpointStatus;
  lagMs?: number;
  recordsTotal = 0;
  bytesTotal = 0;
  ended = false;
  errors = 0;
  lastError?: ErrorStatus;
  throttled = 0;
  /** Wall time of the last successful renew or take. */
  lastHeartbeatAt: number;
  private readonly trend: TrendRing;
  private readonly meter: RateMeter;

  constructor(
    readonly leaseKey: string,
    readonly acquiredAt: number,
    public leaseCounter: number,
    public how: AcquireHow,
    public previousOwner: string | undefined,
    options: { trendSize: number; rateWindowSeconds: number },
  ) {
    this.lastHeartbeatAt = acquiredAt;
    this.trend = new TrendRing(options.trendSize);
    this.meter = new RateMeter(options.rateWindowSeconds);
  }

  heartbeat(at: number, leaseCounter: number): void {
    this.leaseCounter = Math.max(this.leaseCounter, leaseCounter);
    this.lastHeartbeatAt = at;
  }

  records(at: number, count: number, bytes: number, millisBehindLatest: number | undefined): void {
    this.recordsTotal += count;
    this.bytesTotal += bytes;
    this.meter.add(at, count, bytes);
    if (millisBehindLatest !== undefined) {
      this.lagMs = millisBehindLatest;
      this.trend.push(at, millisBehindLatest);
    }
  }

  /** A table scan's row: a newer counter, and its checkpoint when it is further along than ours. */
  scanned(row: LeaseView): void {
    this.leaseCounter = Math.max(this.leaseCounter, row.leaseCounter);
    const fromTable = checkpointOf(row);
    // A scan can be older than our last checkpoint-written: keep whichever is further along.
    if (!this.checkpoint || isAhead(fromTable, this.checkpoint)) this.checkpoint = fromTable;
  }

  toStatus(now: number, table: LeaseView | undefined): OwnedLeaseStatus {
    const rate = this.meter.rate(now);
    return {
      leaseKey: this.leaseKey,
      state: this.state,
      detail: this.detail,
      how: this.how,
      previousOwner: this.previousOwner,
      acquiredAt: this.acquiredAt,
      leaseCounter: this.leaseCounter,
      lastHeartbeatAt: this.lastHeartbeatAt,
      heartbeatAgeMs: Math.max(0, now - this.lastHeartbeatAt),
      checkpoint: this.checkpoint ? { ...this.checkpoint } : undefined,
      lagMs: this.lagMs,
      lagTrend: this.trend.toArray(),
      recordsPerSecond: rate.perSecond,
      bytesPerSecond: rate.bytesPerSecond,
      recordsTotal: this.recordsTotal,
      bytesTotal: this.bytesTotal,
      ended: this.ended,
      errors: this.errors,
      lastError: this.lastError ? { ...this.lastError } : undefined,
      throttled: this.throttled,
      table,
    };
  }
}

export function checkpointOf(row: LeaseView): CheckpointStatus {
  return { sequenceNumber: row.checkpoint, subSequenceNumber: row.checkpointSubSequenceNumber };
}

/** A malformed checkpoint in a foreign table must not break the fold: treat it as not ahead. */
function isAhead(a: CheckpointStatus, b: CheckpointStatus): boolean {
  try {
    return compareCheckpoints(a, b) > 0;
  } catch {
    return false;
  }
}
