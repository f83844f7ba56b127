// The `consume` option table (spec §5), shared by the yargs builder and the --config file reader;
// merging rule: flags win over the config file, the config file over the engine's DEFAULTS.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigurationError } from "../src/core/errors.ts";

export type OutputMode = "dashboard" | "lines" | "json";
export const OUTPUT_MODES: readonly OutputMode[] = ["dashboard", "lines", "json"];

interface OptionSpec {
  type: "string" | "number" | "boolean";
  describe: string;
  choices?: readonly string[];
  /** May be given several times (yargs collects an array; the config file takes a list). */
  repeatable?: true;
  group: "Required" | "AWS" | "Leases" | "Processing" | "Retrieval" | "Output" | "Metrics" | "Local";
}

/** Every consume flag; keys are the kebab-case flag names (the config file may use them or camelCase). */
export const CONSUME_OPTIONS = {
  plugin: { type: "string", group: "Required", describe: "Record processor module (.ts .tsx .js .mjs)" },
  stream: {
    type: "string",
    group: "Required",
    repeatable: true,
    describe: "Kinesis data stream name; repeat it (or `streams` in --config) for multi-stream mode",
  },
  app: { type: "string", group: "Required", describe: "Application name (names the lease table)" },
  region: {
    type: "string",
    group: "AWS",
    describe: "AWS region [AWS_REGION / AWS_DEFAULT_REGION / profile]",
  },
  "kinesis-endpoint": {
    type: "string",
    group: "AWS",
    describe: "Kinesis endpoint [AWS_ENDPOINT_URL_KINESIS / AWS_ENDPOINT_URL]",
  },
  "dynamodb-endpoint": {
    type: "string",
    group: "AWS",
    describe: "DynamoDB endpoint [AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL]",
  },
  table: { type: "string", group: "Leases", describe: "Lease table [the app name]" },
  "worker-id": { type: "string", group: "Leases", describe: "Unique per live process [host-pid-random]" },
  "failover-ms": { type: "number", group: "Leases", describe: "Lease duration [10000]" },
  "renew-interval-ms": { type: "number", group: "Leases", describe: "Lease heartbeat [failover/3 - 25]" },
  "taker-interval-ms": {
    type: "number",
    group: "Leases",
    describe: "Lease table scan [min(2000, failover/5)]",
  },
  "lease-assignment": {
    type: "string",
    group: "Leases",
    choices: ["taker", "assigner"],
    describe:
      "taker: every worker scans the lease table; assigner: one elected worker scans and assigns (KCL 3.x leader + owner index) [taker]",
  },
  "assigner-interval-ms": {
    type: "number",
    group: "Leases",
    describe: "Assigner mode: the assigner's table scan [min(2000, failover/5)]",
  },
  "assigner-scan-ms": {
    type: "number",
    group: "Leases",
    describe:
      "Assigner mode: full table scan; above --assigner-interval-ms, one read per lease holder every second renewal in between detects dead workers (while cheaper than scans) [4 × failover]",
  },
  "owner-query-ms": {
    type: "number",
    group: "Leases",
    describe:
      "Assigner mode: owner-index Query for new leases by a worker holding none (one holding leases: 30 × this, a backstop) [failover]",
  },
  "max-leases-for-worker": { type: "number", group: "Leases", describe: "Cap on leases held [unlimited]" },
  "max-leases-to-steal": { type: "number", group: "Leases", describe: "Leases stolen per round [1]" },
  "shard-sync-ms": { type: "number", group: "Leases", describe: "Periodic shard discovery [60000]" },
  "initial-position": {
    type: "string",
    group: "Processing",
    choices: ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"],
    describe: "Where a shard without checkpoint starts [LATEST]",
  },
  timestamp: { type: "string", group: "Processing", describe: "ISO 8601 start time for AT_TIMESTAMP" },
  "max-records": { type: "number", group: "Processing", describe: "Records per GetRecords [10000]" },
  retrieval: {
    type: "string",
    group: "Retrieval",
    choices: ["polling", "efo"],
    describe: "GetRecords polling, or enhanced fan-out (SubscribeToShard) [polling]",
  },
  "consumer-name": {
    type: "string",
    group: "Retrieval",
    describe: "EFO: stream consumer, registered if absent [the app name]",
  },
  "consumer-arn": { type: "string", group: "Retrieval", describe: "EFO: use this consumer ARN as is" },
  "idle-time-ms": {
    type: "number",
    group: "Retrieval",
    describe: "Polling: pause on a caught-up shard [1000]",
  },
  "poll-interval-ms": {
    type: "number",
    group: "Retrieval",
    describe: "Polling: min gap between GetRecords on a shard; 200 = the 5/s shard limit [200]",
  },
  checkpoint: {
    type: "string",
    group: "Processing",
    choices: ["auto", "manual"],
    describe: "Checkpoint mode [auto]",
  },
  "checkpoint-interval-ms": {
    type: "number",
    group: "Processing",
    describe: "Auto checkpoint interval [5000]",
  },
  "on-error": {
    type: "string",
    group: "Processing",
    choices: ["retry", "skip", "exit"],
    describe: "processRecords failure policy [retry]",
  },
  "shutdown-timeout-ms": {
    type: "number",
    group: "Processing",
    describe: "Bound on graceful shutdown [30000]",
  },
  "lease-thread": {
    type: "boolean",
    group: "Leases",
    describe: "Renew leases on their own thread (--no-lease-thread: on the main thread) [true]",
  },
  "renewal-batching": {
    type: "boolean",
    group: "Leases",
    describe:
      "Renew up to 25 leases per DynamoDB call (PartiQL batch; off by itself without permission) [true]",
  },
  "processor-warn-ms": {
    type: "number",
    group: "Processing",
    describe: "Report a processor callback running longer than this [60000]",
  },
  "process-empty-batches": {
    type: "boolean",
    group: "Processing",
    describe: "Call processRecords with [] when a poll returns nothing [false]",
  },
  output: {
    type: "string",
    group: "Output",
    choices: OUTPUT_MODES,
    describe: "dashboard | lines | json [dashboard on a TTY, else lines]",
  },
  "metrics-port": {
    type: "number",
    group: "Metrics",
    describe: "Serve Prometheus /metrics, /healthz and /readyz on this port (0: a free port, printed) [off]",
  },
  "metrics-host": {
    type: "string",
    group: "Metrics",
    describe: "Address the metrics endpoint listens on (0.0.0.0: every interface) [127.0.0.1]",
  },
  local: {
    type: "boolean",
    group: "Local",
    describe: "Start embedded Kinesis + DynamoDB emulators and create the stream",
  },
  shards: { type: "number", group: "Local", describe: "Shards of the stream --local creates [4]" },
  produce: {
    type: "number",
    group: "Local",
    describe: "With --local: put demo records at this rate (records/s) so there is something to consume [0]",
  },
} as const satisfies Record<string, OptionSpec>;

export type ConsumeFlag = keyof typeof CONSUME_OPTIONS;

/** What runConsume works on: every option camelCased, all optional until validated. */
export interface ConsumeArgs {
  config?: string;
  plugin?: string;
  /** One name, or several (a repeated --stream, `streams` in the config file): multi-stream mode. */
  stream?: string | string[];
  app?: string;
  region?: string;
  kinesisEndpoint?: string;
  dynamodbEndpoint?: string;
  table?: string;
  workerId?: string;
  failoverMs?: number;
  renewIntervalMs?: number;
  takerIntervalMs?: number;
  leaseAssignment?: string;
  assignerIntervalMs?: number;
  assignerScanMs?: number;
  ownerQueryMs?: number;
  maxLeasesForWorker?: number;
  maxLeasesToSteal?: number;
  shardSyncMs?: number;
  initialPosition?: string;
  timestamp?: string;
  maxRecords?: number;
  idleTimeMs?: number;
  pollIntervalMs?: number;
  retrieval?: string;
  consumerName?: string;
  consumerArn?: string;
  checkpoint?: string;
  checkpointIntervalMs?: number;
  onError?: string;
  shutdownTimeoutMs?: number;
  processorWarnMs?: number;
  leaseThread?: boolean;
  renewalBatching?: boolean;
  processEmptyBatches?: boolean;
  output?: string;
  metricsPort?: number;
  metricsHost?: string;
  local?: boolean;
  shards?: number;
  produce?: number;
}

export function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

const BY_CAMEL = new Map(
  Object.entries(CONSUME_OPTIONS).map(([flag, spec]) => [camelCase(flag), { flag, spec }] as const),
);

/** Picks the consume options out of parsed argv (yargs adds aliases, `_`, `$0`). */
export function pickConsumeArgs(argv: Record<string, unknown>): ConsumeArgs {
  const out: Record<string, unknown> = {};
  for (const key of [...BY_CAMEL.keys(), "config"]) {
    if (argv[key] !== undefined) out[key] = argv[key];
  }
  return out as ConsumeArgs;
}

/** Reads a JSON config file: keys are flag names (kebab-case or camelCase), values typed as in JSON. */
export function readConfigFile(file: string, cwd: string): ConsumeArgs {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigurationError(
      `--config ${JSON.stringify(file)}: cannot read ${path} (${(error as Error).message}). Check the path.`,
      { option: "config", file: path },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `--config ${JSON.stringify(file)}: ${path} is not valid JSON (${(error as Error).message}). Fix the file.`,
      { option: "config", file: path },
    );
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigurationError(
      `--config ${JSON.stringify(file)}: ${path} must hold one JSON object, e.g. {"stream": "orders", "app": "billing"}.`,
      { option: "config", file: path },
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    // `streams` (a list) is the config file's spelling of a repeated --stream.
    const known = BY_CAMEL.get(camelCase(key) === "streams" ? "stream" : camelCase(key));
    if (!known) {
      throw new ConfigurationError(
        `--config ${JSON.stringify(file)}: unknown option "${key}" in ${path}. Known options: ${[...BY_CAMEL.values()].map((o) => o.flag).join(", ")}.`,
        { option: key, file: path },
      );
    }
    const list = "repeatable" in known.spec && Array.isArray(value);
    if (list && !value.every((v: unknown) => typeof v === known.spec.type)) {
      throw new ConfigurationError(
        `--config ${JSON.stringify(file)}: "${key}" in ${path} must be a list of ${known.spec.type}s.`,
        { option: known.flag, file: path },
      );
    }
    if (value !== null && !list && typeof value !== known.spec.type) {
      throw new ConfigurationError(
        `--config ${JSON.stringify(file)}: "${key}" is ${JSON.stringify(value)} in ${path} but must be a ${known.spec.type}.`,
        { option: known.flag, file: path },
      );
    }
    if (value !== null) out[camelCase(known.flag)] = value;
  }
  return out as ConsumeArgs;
}

/** Flags win over the config file. */
export function mergeConsumeArgs(flags: ConsumeArgs, file: ConsumeArgs): ConsumeArgs {
  const merged: Record<string, unknown> = { ...file };
  for (const [key, value] of Object.entries(flags)) if (value !== undefined) merged[key] = value;
  delete merged.config;
  return merged as ConsumeArgs;
}
