// resolveConfig(): user options -> one validated, frozen ResolvedConfig. Every rejection names the
// option, the value, the rule and the fix.
import { ConfigurationError } from "../core/errors.ts";
import {
  type CheckpointMode,
  DEFAULTS,
  type InitialPosition,
  type KclOptions,
  type OnErrorPolicy,
  type ResolvedConfig,
} from "./options.ts";

const INITIAL_POSITIONS: readonly InitialPosition[] = ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];
const CHECKPOINT_MODES: readonly CheckpointMode[] = ["auto", "manual"];
const ON_ERROR: readonly OnErrorPolicy[] = ["retry", "skip", "exit"];
/** Kinesis stream names: 1–128 of [a-zA-Z0-9_.-]. */
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
/** DynamoDB table names: 3–255 of [a-zA-Z0-9_.-]. */
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

function fail(option: string, value: unknown, rule: string, fix: string): never {
  throw new ConfigurationError(`--${option} ${JSON.stringify(value)}: ${rule}. ${fix}`, { option });
}

function integer(option: string, value: unknown, fallback: number, min: number, max = Infinity): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || !Number.isInteger(value)) {
    fail(option, value, "must be a whole number", `Pass a whole number${min > 0 ? ` ≥ ${min}` : ""}.`);
  }
  if (value < min) fail(option, value, `must be ≥ ${min}`, `Pass a value of at least ${min}.`);
  if (value > max) fail(option, value, `must be ≤ ${max}`, `Pass a value of at most ${max}.`);
  return value;
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string" || !allowed.includes(value as T)) {
    fail(option, value, `must be one of ${allowed.join(", ")}`, `Use one of: ${allowed.join(" | ")}.`);
  }
  return value as T;
}

function optionalString(option: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") fail(option, value, "must be a string", "Pass text.");
  return value;
}

function endpoint(option: string, value: unknown): string | undefined {
  const s = optionalString(option, value);
  if (s === undefined) return undefined;
  try {
    const url = new URL(s);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("protocol");
  } catch {
    fail(option, s, "must be an http(s) URL", "Pass e.g. http://127.0.0.1:4567.");
  }
  return s;
}

function parseTimestamp(value: unknown): Date | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    fail("timestamp", value, "must be an ISO 8601 date-time", "Pass e.g. 2026-01-31T12:00:00Z.");
  }
  return date;
}

/** Validates and freezes options. Throws ConfigurationError on the first invalid value. */
export function resolveConfig(options: KclOptions): ResolvedConfig {
  const app = optionalString("app", options.app);
  if (!app) fail("app", options.app, "is required", "Pass --app <name> (it names the lease table too).");
  const stream = optionalString("stream", options.stream);
  if (!stream)
    fail("stream", options.stream, "is required", "Pass --stream <name> of a Kinesis data stream.");
  if (!STREAM_NAME.test(stream)) {
    fail(
      "stream",
      stream,
      "is not a valid Kinesis stream name (1–128 of a-z A-Z 0-9 _ . -)",
      "Check the name.",
    );
  }
  const table = optionalString("table", options.table) ?? app;
  if (!TABLE_NAME.test(table)) {
    const option = options.table ? "table" : "app";
    fail(
      option,
      table,
      "is not a valid DynamoDB table name (3–255 of a-z A-Z 0-9 _ . -)",
      options.table ? "Choose another table name." : "Pass --table <name> or use a longer app name.",
    );
  }

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
      "Also pass --timestamp <ISO 8601>.",
    );
  }
  if (timestamp && initialPosition !== "AT_TIMESTAMP") {
    fail(
      "timestamp",
      options.timestamp,
      "is only used with --initial-position AT_TIMESTAMP",
      "Add it or drop --timestamp.",
    );
  }

  const failoverMs = integer("failover-ms", options.failoverMs, DEFAULTS.failoverMs, 1000);
  const defaultRenew = Math.max(100, Math.floor(failoverMs / 3) - 100);
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

  const maxLeasesForWorker =
    options.maxLeasesForWorker === undefined || options.maxLeasesForWorker === Number.POSITIVE_INFINITY
      ? DEFAULTS.maxLeasesForWorker
      : integer("max-leases-for-worker", options.maxLeasesForWorker, 0, 1);

  const config: ResolvedConfig = {
    app,
    stream,
    table,
    workerId: optionalString("worker-id", options.workerId),
    region: optionalString("region", options.region),
    kinesisEndpoint: endpoint("kinesis-endpoint", options.kinesisEndpoint),
    dynamodbEndpoint: endpoint("dynamodb-endpoint", options.dynamodbEndpoint),
    initialPosition,
    timestamp,
    maxRecords: integer("max-records", options.maxRecords, DEFAULTS.maxRecords, 1, 10_000),
    idleTimeMs: integer("idle-time-ms", options.idleTimeMs, DEFAULTS.idleTimeMs, 0),
    failoverMs,
    renewIntervalMs,
    takerIntervalMs,
    maxLeasesForWorker,
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
  };
  return Object.freeze(config);
}
