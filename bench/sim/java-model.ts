// The Java KCL 2.x and 3.x lease-coordination costs per minute, as formulas over the same lease count,
// worker count and item size, billed with the same DynamoDbMeter arithmetic as the simulation.
// Cadences and sizes: java-kcl-reference.md §1.1 (GSI, KEYS_ONLY), §1.5 (worker metrics rows),
// §2.8 (leader lock), §3.1 (2.x taker, leader decider), §3.2 (LAM, lease discovery), §3.3 (defaults).
import { PAGE_BYTES, readUnits, writeUnits } from "../../src/testing/dynamodb-meter.ts";

export interface JavaModelInput {
  shards: number;
  workers: number;
  /** Billed size of one lease item (the simulation's mean). */
  leaseItemBytes: number;
  /** Length of a worker id (the leaseOwner value). */
  workerIdBytes: number;
  failoverMs: number;
}

export interface JavaCost {
  callsPerMinute: number;
  readUnitsPerMinute: number;
  writeUnitsPerMinute: number;
  /** Formula terms: name → [calls, read units, write units] per minute. */
  terms: Record<string, [number, number, number]>;
}

const EPSILON_MS = 25;
/** A WorkerMetricStats row (§1.5): id, lut, 5 metrics × 10 values, operating ranges: ≈ 0.5 KB. */
export const WORKER_METRICS_ROW_BYTES = 500;
/** Leader lock row (§2.8): key, owner, duration, record version UUID, entityType. */
const LEADER_ROW_BYTES = 150;

/** Read units of one eventually consistent Scan (or Query) over `items` rows of `bytes` each. */
export function scanReadUnits(items: number, bytes: number): { calls: number; units: number } {
  const total = items * bytes;
  const fullPages = Math.floor(total / PAGE_BYTES);
  const rest = total - fullPages * PAGE_BYTES;
  return {
    calls: fullPages + 1,
    units: fullPages * readUnits(PAGE_BYTES, false) + readUnits(rest, false),
  };
}

function cost(terms: Record<string, [number, number, number]>): JavaCost {
  const t = Object.values(terms).reduce((a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]], [0, 0, 0]);
  return { callsPerMinute: t[0], readUnitsPerMinute: t[1], writeUnitsPerMinute: t[2], terms };
}

/** The 3.x design's two cadences (defaults: 2 × failover and failover − 25 ms, as the Java KCL 3.x). */
export interface Cadence {
  /** How often the single assigner (3.x: the leader's LAM) Scans the table. */
  assignerScanMs: number;
  /** How often every worker Queries the owner index for its own keys. */
  ownerQueryMs: number;
}

/**
 * Renewals: every lease every failover/3 − ε (fixed rate), one conditional UpdateItem each. The Java
 * interval is `leaseDurationMillis / 3 - epsilonMillis` in long arithmetic (DynamoDBLeaseCoordinator),
 * so the division truncates: 3,308 ms at failover 10 s.
 */
export function renewIntervalMs(failoverMs: number): number {
  return Math.floor(failoverMs / 3) - EPSILON_MS;
}

function renewals(m: JavaModelInput): [number, number, number] {
  const perMinute = (m.shards * 60_000) / renewIntervalMs(m.failoverMs);
  return [perMinute, 0, perMinute * writeUnits(m.leaseItemBytes)];
}

/** KCL 2.x: every worker Scans the table every (failover + ε) × 2; the leader decider Scans every 5 min. */
export function javaKcl2(m: JavaModelInput): JavaCost {
  const scan = scanReadUnits(m.shards, m.leaseItemBytes);
  const takerRounds = (m.workers * 60_000) / ((m.failoverMs + EPSILON_MS) * 2);
  const deciderScans = m.workers / 5;
  const auditorScans = 0.5; // leader's shard-sync auditor, every 120 s
  return cost({
    renew: renewals(m),
    takerScan: [takerRounds * scan.calls, takerRounds * scan.units, 0],
    leaderDeciderScan: [deciderScans * scan.calls, deciderScans * scan.units, 0],
    shardSyncAuditorScan: [auditorScans * scan.calls, auditorScans * scan.units, 0],
  });
}

/**
 * KCL 3.x in steady state: the leader's LAM Scans leases + worker-metrics rows every 2 × failover; every
 * worker Queries the KEYS_ONLY owner GSI every LAM/2 − ε for its own keys, writes its metrics row every
 * 30 s and checks the leader lock (consistent GetItem) every 30 s; the leader heartbeats the lock every
 * 30 s. Assignments (GSI writes) happen only on failover and rebalance: none in steady state.
 */
export function javaKcl3(m: JavaModelInput, cadence: Partial<Cadence> = {}): JavaCost {
  const lamRuns = 60_000 / (cadence.assignerScanMs ?? 2 * m.failoverMs);
  const table = m.shards * m.leaseItemBytes + m.workers * WORKER_METRICS_ROW_BYTES;
  const lam = scanReadUnits(1, table);
  const discoveries = (m.workers * 60_000) / (cadence.ownerQueryMs ?? m.failoverMs - EPSILON_MS);
  // A KEYS_ONLY index entry: leaseOwner and leaseKey, names and values.
  const keyBytes = "leaseOwner".length + m.workerIdBytes + "leaseKey".length + "shardId-000000000000".length;
  const query = scanReadUnits(Math.ceil(m.shards / m.workers), keyBytes);
  return cost({
    renew: renewals(m),
    lamScan: [lamRuns * lam.calls, lamRuns * lam.units, 0],
    ownerGsiQuery: [discoveries * query.calls, discoveries * query.units, 0],
    workerMetricsWrite: [m.workers * 2, 0, m.workers * 2 * writeUnits(WORKER_METRICS_ROW_BYTES)],
    // DynamoDBLockBasedLeaderDecider.isLeader: a consistent read per call, a negative answer cached for
    // the 30 s heartbeat period; callers (LAM every 20 s, the auditor every 2 min) make it about 2/min.
    leaderLockCheck: [m.workers * 2, m.workers * 2 * readUnits(LEADER_ROW_BYTES, true), 0],
    leaderLockHeartbeat: [2, 0, 2 * writeUnits(LEADER_ROW_BYTES)],
    shardSyncAuditorScan: [0.5 * lam.calls, 0.5 * lam.units, 0],
  });
}
