// Folds engine events into a WorkerStatus snapshot. No I/O, no timers, no clock reads: time comes
// from each event's `at` and from the `now` passed to snapshot(), so the same events and the same
// `now` always give the same snapshot. apply() is O(1) for every event but the (rare) table scan, so
// it can sit on the hot path of records-processed; snapshot() does the sorting and copying.
import type { AcquireHow, KclEvent, LeaseView } from "../core/events.ts";
import { copyCounters, countEvent, emptyCounters } from "./counters.ts";
import { EventLog } from "./event-log.ts";
import { compareKeys, deriveFleet, emptyFleet } from "./fleet.ts";
import { checkpointOf, HeldLease } from "./held-lease.ts";
import { RateMeter } from "./meters.ts";
import type { FleetStatus, OwnedLeaseStatus, WorkerPhase, WorkerStatus } from "./types.ts";

export interface StatusFoldOptions {
  workerId: string;
  app: string;
  stream: string;
  region?: string;
  endpoint?: string;
  /** Lease duration: the dashboard colours heartbeat age against it. */
  failoverMs: number;
  /** Movement log lines kept (default 100). */
  logSize?: number;
  /** Lag samples kept per lease, one per second at most (default 60). */
  trendSize?: number;
  /** Seconds records/s averages over (default 5). */
  rateWindowSeconds?: number;
}

export class StatusFold {
  private readonly held = new Map<string, HeldLease>();
  private readonly log: EventLog;
  private readonly total: RateMeter;
  private tableByKey = new Map<string, LeaseView>();
  private fleet: FleetStatus = emptyFleet();
  private scanned = false;
  private header: {
    app: string;
    stream: string;
    table?: string;
    region?: string;
    endpoint?: string;
    phase: WorkerPhase;
    stopReason?: string;
    startedAt?: number;
    assigner?: boolean;
  };
  private recordsTotal = 0;
  private errors = 0;
  private throttled = 0;
  private warnings = 0;
  private applied = 0;
  private readonly counters = emptyCounters();

  constructor(private readonly options: StatusFoldOptions) {
    this.log = new EventLog(options.logSize ?? 100);
    this.total = new RateMeter(options.rateWindowSeconds ?? 5);
    const { app, stream, region, endpoint } = options;
    this.header = { app, stream, region, endpoint, phase: "starting" };
  }

  /** Number of events applied so far: a renderer can skip frames when it has not moved. */
  get version(): number {
    return this.applied;
  }

  apply(e: KclEvent): void {
    this.applied += 1;
    switch (e.type) {
      case "records-processed": {
        this.recordsTotal += e.count;
        this.total.add(e.at, e.count, e.bytes);
        const h = this.held.get(e.shardId);
        h?.records(e.at, e.count, e.bytes, e.millisBehindLatest);
        return; // never a log line: the hot path stops here
      }
      case "lease-renewed": {
        this.counters.renewals.success += 1;
        this.held.get(e.leaseKey)?.heartbeat(e.at, e.leaseCounter);
        return;
      }
      case "records-fetched":
        return; // GetRecords latency is for metrics histograms only: the hot path stops here too
      default:
        countEvent(this.counters, e);
    }
    switch (e.type) {
      case "worker-started": {
        // Multi-stream: the header names every stream.
        const stream = e.streams ? e.streams.join(", ") : e.stream;
        this.header = { ...this.header, app: e.app, stream, table: e.table, phase: "running" };
        if (e.region !== undefined) this.header.region = e.region;
        if (e.endpoint !== undefined) this.header.endpoint = e.endpoint;
        this.header.startedAt = e.at;
        break;
      }
      case "worker-draining":
        if (this.header.phase === "running") this.header.phase = "draining";
        break;
      case "worker-stopping":
        this.header.phase = "stopping";
        this.header.stopReason = e.reason;
        break;
      case "worker-stopped":
        this.header.phase = "stopped";
        break;
      case "assigner-role":
        this.header.assigner = e.assigner;
        break;
      case "lease-acquired":
        this.hold(e.leaseKey, e.at, e.leaseCounter, e.how, e.previousOwner);
        break;
      case "lease-stolen":
        this.hold(e.leaseKey, e.at, e.leaseCounter, "stolen", e.from);
        break;
      case "lease-lost":
      case "lease-released":
      case "lease-handed-off":
      case "parent-lease-deleted": // a finished lease cleaned up: no longer held by anyone
        this.held.delete(e.leaseKey);
        break;
      case "shard-ended": {
        const h = this.held.get(e.shardId);
        if (h) h.ended = true;
        break;
      }
      case "lease-table-scanned":
        this.applyScan(e.leases, e.liveWorkers, e.at);
        break;
      case "shard-state": {
        const h = this.held.get(e.shardId);
        if (h) {
          h.state = e.state;
          h.detail = e.detail;
        }
        break;
      }
      case "checkpoint-written": {
        const h = this.held.get(e.shardId);
        if (h) {
          h.checkpoint = {
            sequenceNumber: e.sequenceNumber,
            subSequenceNumber: e.subSequenceNumber,
            at: e.at,
            by: e.by,
          };
        }
        break;
      }
      case "processor-error": {
        this.errors += 1;
        const h = this.held.get(e.shardId);
        if (h) {
          h.errors += 1;
          h.lastError = {
            at: e.at,
            message: e.error,
            attempt: e.attempt,
            action: e.action,
            retryInMs: e.retryInMs,
          };
        }
        break;
      }
      case "throttled": {
        this.throttled += 1;
        const key = e.shardId ?? e.leaseKey;
        const h = key === undefined ? undefined : this.held.get(key);
        if (h) h.throttled += 1;
        break;
      }
      case "warning":
      case "capacity-warning":
        this.warnings += 1;
        break;
      default:
        break;
    }
    this.log.add(e);
  }

  snapshot(now: number): WorkerStatus {
    const leases: OwnedLeaseStatus[] = [];
    let maxLagMs: number | undefined;
    for (const h of this.held.values()) {
      if (h.lagMs !== undefined) maxLagMs = Math.max(maxLagMs ?? 0, h.lagMs);
      leases.push(h.toStatus(now, this.tableByKey.get(h.leaseKey)));
    }
    leases.sort((a, b) => compareKeys(a.leaseKey, b.leaseKey));
    const rate = this.total.rate(now);
    const { header } = this;
    const liveWorkers = this.scanned
      ? this.fleet.workers.filter((w) => w.live).length
      : header.phase === "running"
        ? 1
        : 0;
    return {
      now,
      failoverMs: this.options.failoverMs,
      header: {
        ...header,
        workerId: this.options.workerId,
        uptimeMs: header.startedAt === undefined ? 0 : Math.max(0, now - header.startedAt),
        leasesHeld: leases.length,
        leasesTotal: this.scanned ? this.fleet.leases.length - this.fleet.finished.length : leases.length,
        liveWorkers,
        recordsPerSecond: rate.perSecond,
        bytesPerSecond: rate.bytesPerSecond,
        recordsTotal: this.recordsTotal,
        maxLagMs,
        errors: this.errors,
        throttled: this.throttled,
        warnings: this.warnings,
      },
      leases,
      fleet: this.fleet,
      counters: copyCounters(this.counters),
      events: this.log.entries(),
    };
  }

  private hold(leaseKey: string, at: number, leaseCounter: number, how: AcquireHow, previousOwner?: string) {
    const existing = this.held.get(leaseKey);
    if (existing) {
      // The thief may announce both lease-acquired and lease-stolen: one row, newest counter.
      existing.heartbeat(at, leaseCounter);
      if (how === "stolen") existing.how = how;
      existing.previousOwner ??= previousOwner;
      return;
    }
    const held = new HeldLease(leaseKey, at, leaseCounter, how, previousOwner, {
      trendSize: this.options.trendSize ?? 60,
      rateWindowSeconds: this.options.rateWindowSeconds ?? 5,
    });
    const table = this.tableByKey.get(leaseKey);
    if (table) held.checkpoint = checkpointOf(table);
    this.held.set(leaseKey, held);
  }

  private applyScan(leases: LeaseView[], liveWorkers: string[], at: number): void {
    this.scanned = true;
    this.fleet = deriveFleet(leases, liveWorkers, this.options.workerId, at);
    this.tableByKey = new Map(leases.map((l) => [l.leaseKey, l]));
    for (const h of this.held.values()) {
      const row = this.tableByKey.get(h.leaseKey);
      if (row) h.scanned(row);
    }
  }
}

/** Folds a whole event list at once (tests, replays of --output json logs). */
export function foldStatus(
  events: Iterable<KclEvent>,
  options: StatusFoldOptions,
  now: number,
): WorkerStatus {
  const fold = new StatusFold(options);
  for (const e of events) fold.apply(e);
  return fold.snapshot(now);
}
