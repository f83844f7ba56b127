// resolveConfig(): user options -> one validated, frozen ResolvedConfig. Every rejection names the
// option, the value, the rule and the fix (the per-option rules live in rules.ts).
import {
  type CheckpointMode,
  DEFAULTS,
  type InitialPosition,
  type KclOptions,
  LEASE_ASSIGNMENTS,
  type OnErrorPolicy,
  type ResolvedConfig,
} from "./options.ts";
import { retrieval } from "./retrieval.ts";
import { endpoint, fail, flag, integer, oneOf, optionalString, parseTimestamp } from "./rules.ts";

const INITIAL_POSITIONS: readonly InitialPosition[] = ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];
const CHECKPOINT_MODES: readonly CheckpointMode[] = ["auto", "manual"];
const ON_ERROR: readonly OnErrorPolicy[] = ["retry", "skip", "exit"];
/** Kinesis stream names: 1–128 of [a-zA-Z0-9_.-]. */
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
/** DynamoDB table names: 3–255 of [a-zA-Z0-9_.-]. */
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
/** Kinesis GetRecords returns at most 10,000 records per call. */
const MAX_RECORDS_LIMIT = 10_000;

/** `stream` and `streams` together, deduplicated, each a valid Kinesis stream name. */
function streamNames(options: KclOptions): readonly string[] {
  const given: unknown[] = [];
  if (options.stream !== undefined && options.stream !== null && options.stream !== "")
    given.push(options.stream);
  if (options.streams !== undefined && options.streams !== null) {
    if (!Array.isArray(options.streams)) {
      fail(
        "streams",
        options.streams,
        "must be a list of stream names",
        'Pass e.g. "streams": ["orders", "payments"].',
      );
    }
    given.push(...options.streams);
  }
  if (given.length === 0)
    fail("stream", options.stream, "is required", "Pass --stream <name> of a Kinesis data stream.");
  const out: string[] = [];
  for (const name of given) {
    const stream = optionalString("stream", name);
    if (!stream || !STREAM_NAME.test(stream)) {
      fail(
        "stream",
        name,
        "is not a valid Kinesis stream name (1–128 characters of a-z A-Z 0-9 _ . -)",
        "Pass the stream's exact name as `aws kinesis list-streams` shows it.",
      );
    }
    if (!out.includes(stream)) out.push(stream);
  }
  return Object.freeze(out);
}

function names(options: KclOptions) {
  const app = optionalString("app", options.app);
  if (!app?.trim()) {
    fail(
      "app",
      options.app,
      "is required",
      "Pass --app <name>: it identifies the fleet and names the lease table.",
    );
  }
  const streams = streamNames(options);
  const stream = streams[0]!;
  const table = optionalString("table", options.table) ?? app;
  if (!TABLE_NAME.test(table)) {
    const explicit = options.table !== undefined && options.table !== null && options.table !== "";
    fail(
      explicit ? "table" : "app",
      table,
      `is not a valid DynamoDB table name (3–255 characters of a-z A-Z 0-9 _ . -)${explicit ? "" : "; the app name is the default lease table name"}`,
      explicit
        ? "Choose a table name that fits the rule."
        : "Pass --table <name>, or an app name that fits the rule.",
    );
  }
  return { app, stream, streams, table };
}

function startingPosition(options: KclOptions) {
  const initialPosition = oneOf(
    "initial-position",
    options.initialPosition,
    INITIAL_POSITIONS,
    DEFAULTS.initialPosition,
  );
  const timestamp = parseTimestamp(options.timestamp);
  if (initialPosition === "AT_TIMESTAMP" && !timestamp) {
    fail(
      "initial-position",
      initialPosition,
      "AT_TIMESTAMP needs a start time",
      "Also pass --timestamp <ISO 8601>, e.g. --timestamp 2026-01-31T12:00:00Z.",
    );
  }
  if (timestamp && initialPosition !== "AT_TIMESTAMP") {
    fail(
      "timestamp",
      options.timestamp,
      `is only used with --initial-position AT_TIMESTAMP (the initial position is ${initialPosition})`,
      "Add --initial-position AT_TIMESTAMP, or drop --timestamp.",
    );
  }
  return { initialPosition, timestamp };
}

function leaseTiming(options: KclOptions) {
  const failoverMs = integer("failover-ms", options.failoverMs, DEFAULTS.failoverMs, 1000);
  // Java's failover/3 − ε with Java's ε (25 ms: LeaseManagementConfig epsilonMillis), so renewals cost
  // what the Java KCL's renewal formula says; a lease still survives two missed heartbeats.
  const defaultRenew = Math.max(100, Math.floor(failoverMs / 3) - 25);
  const renewIntervalMs = integer("renew-interval-ms", options.renewIntervalMs, defaultRenew, 50);
  if (failoverMs < 3 * renewIntervalMs) {
    fail(
      "failover-ms",
      failoverMs,
      `must be at least 3 × the renew interval (${renewIntervalMs} ms) so that two missed heartbeats do not lose a lease`,
      `Raise --failover-ms to ≥ ${3 * renewIntervalMs} or lower --renew-interval-ms to ≤ ${Math.floor(failoverMs / 3)}.`,
    );
  }
  const defaultTaker = Math.min(DEFAULTS.takerIntervalMaxMs, Math.floor(failoverMs / 5));
  const takerIntervalMs = integer("taker-interval-ms", options.takerIntervalMs, defaultTaker, 100);
  const leaseAssignment = oneOf(
    "lease-assignment",
    options.leaseAssignment,
    LEASE_ASSIGNMENTS,
    DEFAULTS.leaseAssignment,
  );
  // The assigner's scan bounds takeover the way the taker's does: failover + about one interval.
  const assignerIntervalMs = integer("assigner-interval-ms", options.assignerIntervalMs, defaultTaker, 100);
  // Full scans every 4 × failover (the Java KCL 3.x assigns every 2 × failover): holder probes judge
  // liveness in between, so the scan only finds new workers and leases (balance within 60 s).
  const defaultScan = Math.max(assignerIntervalMs, 4 * failoverMs);
  const assignerScanMs = integer("assigner-scan-ms", options.assignerScanMs, defaultScan, 100);
  const ownerQueryMs = integer("owner-query-ms", options.ownerQueryMs, failoverMs, 100);
  // Unlimited is the default; a JSON config file cannot spell Infinity, so null means unlimited too.
  const maxLeasesForWorker =
    options.maxLeasesForWorker === Number.POSITIVE_INFINITY
      ? DEFAULTS.maxLeasesForWorker
      : integer("max-leases-for-worker", options.maxLeasesForWorker, DEFAULTS.maxLeasesForWorker, 1);
  return {
    failoverMs,
    renewIntervalMs,
    takerIntervalMs,
    leaseAssignment,
    assignerIntervalMs,
    assignerScanMs,
    ownerQueryMs,
    maxLeasesForWorker,
  };
}

function processEmptyBatches(value: unknown): { processEmptyBatches?: true } {
  if (value === undefined || value === null || value === false) return {};
  if (value !== true) fail("process-empty-batches", value, "must be true or false", "Pass a boolean.");
  return { processEmptyBatches: true };
}

/** Validates, applies DEFAULTS and freezes options. Throws ConfigurationError on the first invalid value. */
export function resolveConfig(options: KclOptions): ResolvedConfig {
  if (options === null || typeof options !== "object") {
    fail("app", undefined, "is required (no options were given)", "Pass at least { app, stream }.");
  }
  const named = names(options);
  const config: ResolvedConfig = {
    ...named,
    workerId: optionalString("worker-id", options.workerId),
    region: optionalString("region", options.region),
    kinesisEndpoint: endpoint("kinesis-endpoint", options.kinesisEndpoint),
    dynamodbEndpoint: endpoint("dynamodb-endpoint", options.dynamodbEndpoint),
    ...startingPosition(options),
    maxRecords: integer(
      "max-records",
      options.maxRecords,
      DEFAULTS.maxRecords,
      1,
      MAX_RECORDS_LIMIT,
      " (Kinesis GetRecords returns at most 10000 records per call)",
    ),
    // 0 is allowed for the intervals below: it means "no pause" / "checkpoint every batch" / "no wait".
    idleTimeMs: integer("idle-time-ms", options.idleTimeMs, DEFAULTS.idleTimeMs, 0),
    pollIntervalMs: integer("poll-interval-ms", options.pollIntervalMs, DEFAULTS.pollIntervalMs, 0),
    ...retrieval(options, named.app),
    ...leaseTiming(options),
    // 0 disables stealing (no balancing by theft), which is a legitimate operator choice.
    maxLeasesToSteal: integer("max-leases-to-steal", options.maxLeasesToSteal, DEFAULTS.maxLeasesToSteal, 0),
    shardSyncMs: integer("shard-sync-ms", options.shardSyncMs, DEFAULTS.shardSyncMs, 1000),
    checkpoint: oneOf("checkpoint", options.checkpoint, CHECKPOINT_MODES, DEFAULTS.checkpoint),
    checkpointIntervalMs: integer(
      "checkpoint-interval-ms",
      options.checkpointIntervalMs,
      DEFAULTS.checkpointIntervalMs,
      0,
    ),
    onError: oneOf("on-error", options.onError, ON_ERROR, DEFAULTS.onError),
    shutdownTimeoutMs: integer(
      "shutdown-timeout-ms",
      options.shutdownTimeoutMs,
      DEFAULTS.shutdownTimeoutMs,
      0,
    ),
    processorWarnMs: integer("processor-warn-ms", options.processorWarnMs, DEFAULTS.processorWarnMs, 1),
    leaseThread: flag("lease-thread", options.leaseThread, DEFAULTS.leaseThread),
    renewalBatching: flag("renewal-batching", options.renewalBatching, DEFAULTS.renewalBatching),
    ...processEmptyBatches(options.processEmptyBatches),
  };
  // A stream consumer (the fan-out subscription target) belongs to one stream.
  if (config.retrieval === "efo" && config.streams.length > 1) {
    fail(
      "retrieval",
      "efo",
      `is not available with several streams (${config.streams.join(", ")}): a stream consumer is registered per stream`,
      "Use --retrieval polling for a multi-stream worker, or run one worker per stream with --retrieval efo.",
    );
  }
  return Object.freeze(config);
}
