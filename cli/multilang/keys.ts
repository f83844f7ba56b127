// The MultiLangDaemon properties keys (spec §9) mapped onto the `consume` options: which keys kcl-ts
// uses, which Java-only keys it accepts and ignores, and how each value is read.
import { ConfigurationError } from "../../src/core/errors.ts";
import type { ConsumeArgs } from "../consume-options.ts";
import type { PropertyEntry } from "./properties.ts";

/** What `multilang` needs beyond the consume options. */
export interface MultilangSettings {
  /** The child command line, as written (split like a shell command later). */
  executableName: string;
  /** No answer from a child for this long fails its processor. Absent: wait forever (as Java does). */
  timeoutMs?: number;
}

type Reader = (value: string, key: string, where: string) => Partial<ConsumeArgs> | undefined;

function fail(where: string, key: string, value: string, rule: string): never {
  throw new ConfigurationError(`${where}: ${key} = ${JSON.stringify(value)}: ${rule}.`, { option: key });
}

const text =
  (field: keyof ConsumeArgs): Reader =>
  (value) =>
    value === "" ? undefined : { [field]: value };

const whole =
  (field: keyof ConsumeArgs, min = 0): Reader =>
  (value, key, where) => {
    if (!/^-?\d+$/.test(value.trim()) || Number(value) < min) {
      fail(where, key, value, `must be a whole number${min > 0 ? ` ≥ ${min}` : ""}`);
    }
    return { [field]: Number(value) };
  };

const TRUE = new Set(["true", "yes", "y", "on", "1"]);
const FALSE = new Set(["false", "no", "n", "off", "0"]);

export function readBoolean(value: string, key: string, where: string): boolean {
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return fail(where, key, value, "must be true or false");
}

/** arn:aws:kinesis:<region>:<account>:stream/<name> → the stream name (and region). */
function streamFromArn(value: string, key: string, where: string): Partial<ConsumeArgs> {
  const match = value.trim().match(/^arn:[^:]+:kinesis:([^:]*):\d*:stream\/([^/]+)$/);
  if (!match)
    fail(
      where,
      key,
      value,
      "must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)",
    );
  return { stream: match[2], ...(match[1] ? { region: match[1] } : {}) };
}

function initialPosition(value: string, key: string, where: string): Partial<ConsumeArgs> {
  const v = value.trim().toUpperCase();
  if (v !== "TRIM_HORIZON" && v !== "LATEST" && v !== "AT_TIMESTAMP") {
    fail(where, key, value, "must be TRIM_HORIZON, LATEST or AT_TIMESTAMP");
  }
  return { initialPosition: v };
}

/** Java reads it as epoch seconds and implies AT_TIMESTAMP. */
function atTimestamp(value: string, key: string, where: string): Partial<ConsumeArgs> {
  if (!/^\d+$/.test(value.trim())) fail(where, key, value, "must be a time in epoch seconds");
  return { initialPosition: "AT_TIMESTAMP", timestamp: new Date(Number(value) * 1000).toISOString() };
}

function retrievalMode(value: string, key: string, where: string): Partial<ConsumeArgs> | undefined {
  const v = value.trim().toUpperCase();
  if (v === "POLLING" || v === "DEFAULT") return undefined;
  // Enhanced fan-out (spec §8): the consumer is registered as consume --retrieval efo does.
  if (v === "FANOUT") return { retrieval: "efo" };
  return fail(where, key, value, "must be POLLING or FANOUT");
}

/**
 * Keys kcl-ts uses: property key → what it sets; `option` is the consume flag as the README's key
 * table shows it (a test keeps the two equal). Multilang-only keys are read in readMultilangKeys.
 */
export const MAPPED_KEYS: Record<string, { reader: Reader; option: string }> = {
  streamName: { reader: text("stream"), option: "`--stream`" },
  streamArn: { reader: streamFromArn, option: "`--stream` (and `--region`)" },
  applicationName: { reader: text("app"), option: "`--app`" },
  tableName: { reader: text("table"), option: "`--table`" },
  workerId: { reader: text("workerId"), option: "`--worker-id`" },
  initialPositionInStream: { reader: initialPosition, option: "`--initial-position`" },
  initialPositionInStreamExtended: {
    reader: atTimestamp,
    option: "`--initial-position AT_TIMESTAMP --timestamp`",
  },
  regionName: { reader: text("region"), option: "`--region`" },
  kinesisEndpoint: { reader: text("kinesisEndpoint"), option: "`--kinesis-endpoint`" },
  dynamoDBEndpoint: { reader: text("dynamodbEndpoint"), option: "`--dynamodb-endpoint`" },
  failoverTimeMillis: { reader: whole("failoverMs", 1), option: "`--failover-ms`" },
  maxRecords: { reader: whole("maxRecords", 1), option: "`--max-records`" },
  idleTimeBetweenReadsInMillis: { reader: whole("idleTimeMs"), option: "`--idle-time-ms`" },
  shardSyncIntervalMillis: { reader: whole("shardSyncMs", 1), option: "`--shard-sync-ms`" },
  maxLeasesForWorker: { reader: whole("maxLeasesForWorker", 1), option: "`--max-leases-for-worker`" },
  maxLeasesToStealAtOneTime: { reader: whole("maxLeasesToSteal"), option: "`--max-leases-to-steal`" },
  callProcessRecordsEvenForEmptyRecordList: {
    reader: (v, k, w) => ({ processEmptyBatches: readBoolean(v, k, w) }),
    option: "`--process-empty-batches`",
  },
  retrievalMode: { reader: retrievalMode, option: "`--retrieval`" },
  shutdownGraceMillis: { reader: whole("shutdownTimeoutMs"), option: "`--shutdown-timeout-ms`" },
};

/** Read by multilang itself (not consume options). */
export const MULTILANG_KEYS = ["executableName", "timeoutInSeconds"] as const;

/** Java-only settings: accepted, listed once as ignored. */
export const IGNORED_KEYS = [
  "AWSCredentialsProvider",
  "AWSCredentialsProviderDynamoDB",
  "AWSCredentialsProviderCloudWatch",
  "processingLanguage",
  "userAgent",
  "metricsLevel",
  "metricsBufferTimeMillis",
  "metricsMaxQueueSize",
  "metricsEnabledDimensions",
  "cloudWatchRegionName",
  "dynamoDBRegionName",
  "maxActiveThreads",
  "validateSequenceNumberBeforeCheckpointing",
  "cleanupLeasesUponShardCompletion",
  "ignoreUnexpectedChildShards",
  "parentShardPollIntervalMillis",
  "taskBackoffTimeMillis",
  "initialLeaseTableReadCapacity",
  "initialLeaseTableWriteCapacity",
  "maxLeaseRenewalThreads",
  "listShardsBackoffTimeInMillis",
  "maxListShardsRetryAttempts",
  "skipShardSyncAtWorkerInitializationIfLeasesExist",
  "schedulerInitializationBackoffTimeMillis",
  "logWarningForTaskAfterMillis",
  "shardPrioritization",
  "maxGetRecordsThreadPool",
  "retryGetRecordsInSeconds",
] as const;

/** Without these the daemon cannot start (streamArn may stand in for streamName; flags may too). */
export const REQUIRED_KEYS = ["executableName", "streamName", "applicationName"] as const;

function missingKey(key: (typeof REQUIRED_KEYS)[number], file: string): ConfigurationError {
  const flag =
    key === "streamName" ? " (or streamArn, or --stream)" : key === "applicationName" ? " (or --app)" : "";
  return new ConfigurationError(
    `${file}: required key ${key} is missing${flag}. Add a line "${key} = ..." to the properties file.`,
    { option: key, file },
  );
}

/** After flags are merged in: stream and app must come from somewhere. */
export function checkRequired(args: ConsumeArgs, file: string): void {
  if (!args.stream) throw missingKey("streamName", file);
  if (!args.app) throw missingKey("applicationName", file);
}

export interface ReadKeys {
  args: ConsumeArgs;
  settings: MultilangSettings;
  ignored: string[];
  /** Unknown keys, each with a "did you mean" when only the case differs. */
  unknown: string[];
}

const KNOWN = [...Object.keys(MAPPED_KEYS), ...MULTILANG_KEYS, ...IGNORED_KEYS];

/** Maps parsed properties onto consume options; throws ConfigurationError naming a missing or bad key. */
export function readMultilangKeys(entries: readonly PropertyEntry[], file: string): ReadKeys {
  const args: Record<string, unknown> = {};
  const ignored: string[] = [];
  const unknown: string[] = [];
  const byKey = new Map(entries.map((e) => [e.key, e]));
  for (const entry of entries) {
    const where = `${file}:${entry.line}`;
    const mapped = MAPPED_KEYS[entry.key];
    if (mapped) Object.assign(args, mapped.reader(entry.value, entry.key, where));
    else if ((IGNORED_KEYS as readonly string[]).includes(entry.key)) ignored.push(entry.key);
    else if (!(MULTILANG_KEYS as readonly string[]).includes(entry.key)) {
      const near = KNOWN.find((k) => k.toLowerCase() === entry.key.toLowerCase());
      unknown.push(near ? `${entry.key} (did you mean ${near}?)` : entry.key);
    }
  }
  if (!byKey.get("executableName")?.value.trim()) throw missingKey("executableName", file);
  const settings: MultilangSettings = { executableName: byKey.get("executableName")!.value.trim() };
  const timeout = byKey.get("timeoutInSeconds");
  if (timeout && timeout.value.trim() !== "") {
    const seconds = Number(timeout.value);
    if (!/^\d+$/.test(timeout.value.trim()) || seconds < 1) {
      fail(
        `${file}:${timeout.line}`,
        "timeoutInSeconds",
        timeout.value,
        "must be a whole number of seconds ≥ 1",
      );
    }
    settings.timeoutMs = seconds * 1000;
  }
  return { args: args as ConsumeArgs, settings, ignored, unknown };
}
