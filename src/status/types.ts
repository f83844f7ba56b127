// The status snapshot: plain, serialisable data folded from engine events, rendered by the dashboard.
import type { AcquireHow, KclEventType, LeaseView, ShardStateName } from "../core/events.ts";

/** Where the worker is in its life, as told by worker-started / -stopping / -stopped. */
export type WorkerPhase = "starting" | "running" | "draining" | "stopping" | "stopped";

/** A held lease's state: the shard consumer's state, or "acquired" until the first shard-state. */
export type OwnedLeaseState = ShardStateName | "acquired";

export interface CheckpointStatus {
  sequenceNumber: string;
  subSequenceNumber: number;
  /** Wall time of the checkpoint-written event (absent when only seen in a table scan). */
  at?: number;
  by?: "auto" | "manual" | "shutdown" | "shard-end";
}

export interface ErrorStatus {
  at: number;
  message: string;
  attempt: number;
  action: "retry" | "skip" | "exit";
  retryInMs?: number;
}

/** One lease this worker holds. */
export interface OwnedLeaseStatus {
  leaseKey: string;
  state: OwnedLeaseState;
  /** Free text from the last shard-state event (e.g. which parent it waits on). */
  detail?: string;
  how: AcquireHow;
  previousOwner?: string;
  acquiredAt: number;
  leaseCounter: number;
  /** Wall time of the last successful heartbeat (renew or take). */
  lastHeartbeatAt: number;
  /** now − lastHeartbeatAt, never negative. */
  heartbeatAgeMs: number;
  checkpoint?: CheckpointStatus;
  /** MillisBehindLatest of the last GetRecords. */
  lagMs?: number;
  /** Oldest first, at most one sample per second. */
  lagTrend: number[];
  recordsPerSecond: number;
  bytesPerSecond: number;
  recordsTotal: number;
  /** Bytes of record data processed since this worker acquired the lease. */
  bytesTotal: number;
  /** The shard reached SHARD_END here: nothing more will be read from it. */
  ended: boolean;
  errors: number;
  lastError?: ErrorStatus;
  throttled: number;
  /** The table row from the last scan, when one has been seen. */
  table?: LeaseView;
}

/** One row of the whole fleet's lease table (from the last taker scan). */
export interface FleetLeaseStatus extends LeaseView {
  state: "owned" | "unowned" | "finished" | "handoff";
  /** Parents that still exist and are not finished: this child must wait for them. */
  waitingOn: string[];
}

export interface FleetWorkerStatus {
  workerId: string;
  /** Unfinished leases this worker owns in the table. */
  leases: number;
  /** In the taker's live-worker set. */
  live: boolean;
  isMe: boolean;
}

export interface FleetStatus {
  /** Wall time of the last lease-table-scanned event; absent before the first scan. */
  scannedAt?: number;
  workers: FleetWorkerStatus[];
  /** Unfinished leases without an owner. */
  unowned: string[];
  /** Leases checkpointed at SHARD_END. */
  finished: string[];
  blocked: { leaseKey: string; waitingOn: string[] }[];
  leases: FleetLeaseStatus[];
}

export type LogSeverity = "info" | "warn" | "error";

/** One line of the movement log. Identical consecutive lines are coalesced (count > 1). */
export interface LogEntry {
  at: number;
  type: KclEventType;
  severity: LogSeverity;
  leaseKey?: string;
  text: string;
  count: number;
}

export interface HeaderStatus {
  app: string;
  stream: string;
  table?: string;
  region?: string;
  endpoint?: string;
  workerId: string;
  phase: WorkerPhase;
  /** Assigner mode: this worker is the fleet's assigner (the 3.x leader). */
  assigner?: boolean;
  /** Why the worker is stopping (worker-stopping reason). */
  stopReason?: string;
  startedAt?: number;
  uptimeMs: number;
  leasesHeld: number;
  /** Unfinished leases in the table (last scan), or the held count before any scan. */
  leasesTotal: number;
  liveWorkers: number;
  recordsPerSecond: number;
  bytesPerSecond: number;
  recordsTotal: number;
  /** The worst MillisBehindLatest over held leases (shards are read in parallel: lag does not add up). */
  maxLagMs?: number;
  errors: number;
  throttled: number;
  warnings: number;
}

/** How a renewal attempt ended: written, throttled, failed with another fault, or the lease was lost. */
export type RenewalResult = "success" | "throttled" | "failed" | "lost";

/**
 * Running totals since the fold started: what /metrics exports as counters (one source with the
 * dashboard). Kinesis and DynamoDB throttles are told apart by the operation name.
 */
export interface WorkerCounters {
  leaseTakes: Record<AcquireHow, number>;
  leasesLost: number;
  renewals: Record<RenewalResult, number>;
  checkpoints: { success: number; failed: number };
  throttles: { kinesis: number; dynamodb: number };
  processorErrors: number;
  shardSyncs: number;
}

export interface WorkerStatus {
  /** The `now` this snapshot was computed for (wall ms). */
  now: number;
  failoverMs: number;
  header: HeaderStatus;
  /** Held leases, sorted by lease key. */
  leases: OwnedLeaseStatus[];
  fleet: FleetStatus;
  counters: WorkerCounters;
  /** Newest last. */
  events: LogEntry[];
}
