// What every `leases` command shares: the --app/--table/--region/endpoint options, their validation
// and the clients they open (the same endpoint and credential handling as `leases list`).
import type { Argv } from "yargs";
import { type ClientTarget, createKinesisClient } from "../../src/aws/clients.ts";
import { createLeaseTableClient } from "../../src/aws/lease-table-client.ts";
import { systemClock } from "../../src/core/clock.ts";
import { ConfigurationError } from "../../src/core/errors.ts";
import { systemRandom } from "../../src/core/random.ts";
import { type AwsKinesisPort, createAwsKinesis } from "../../src/kinesis/aws-kinesis.ts";
import type { KinesisPort } from "../../src/kinesis/port.ts";
import { createDynamoOperatorStore } from "../../src/leases/dynamodb-operator-store.ts";
import { createDynamoLeaseStore } from "../../src/leases/dynamodb-store.ts";
import type { LeaseOperatorStore } from "../../src/leases/operator-store.ts";
import type { LeaseStore } from "../../src/leases/store.ts";
import { envCredentials } from "../aws-env.ts";

export interface LeasesCommonArgs {
  app?: string;
  table?: string;
  json?: boolean;
  region?: string;
  dynamodbEndpoint?: string;
  kinesisEndpoint?: string;
}

export interface Output {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface LeasesDeps {
  stdout: Output;
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
  /** Waits between lease-table reads (liveness probe, drain --wait). Default: real time. */
  sleep?: (ms: number) => Promise<void>;
  /** Wall-clock ms, used only for what is written for display (drain requestedAt) or resolved now. */
  now?: () => number;
}

/** The lease table, the operator port and (when a stream is named) Kinesis, for one command run. */
export interface LeasesSession {
  table: string;
  dynamoTarget: ClientTarget;
  store: LeaseStore;
  operator: LeaseOperatorStore;
  kinesis(): KinesisPort;
  close(): void;
}

export function tableName(args: LeasesCommonArgs, command: string): string {
  const table = args.table || args.app;
  if (!table) {
    throw new ConfigurationError(
      `leases ${command} needs --app <name> (the lease table defaults to the app name) or --table <name>.`,
      { option: "app" },
    );
  }
  return table;
}

function checkEndpoint(option: string, value: string | undefined): void {
  if (value && !/^https?:\/\/[^\s/]+/.test(value)) {
    throw new ConfigurationError(
      `--${option} ${JSON.stringify(value)}: must be an http(s) URL, e.g. http://127.0.0.1:4567.`,
      { option },
    );
  }
}

/** Validates the common options and opens the clients (two attempts per call: an operator is waiting). */
export async function openSession(
  args: LeasesCommonArgs,
  env: Record<string, string | undefined>,
  command: string,
): Promise<LeasesSession> {
  const table = tableName(args, command);
  checkEndpoint("dynamodb-endpoint", args.dynamodbEndpoint);
  checkEndpoint("kinesis-endpoint", args.kinesisEndpoint);
  const aws = { region: args.region, credentials: envCredentials(env), env, maxAttempts: 2 };
  const dynamo = createLeaseTableClient({ ...aws, dynamodbEndpoint: args.dynamodbEndpoint });
  const dynamoTarget = dynamo.target;
  const common = { client: dynamo.client, table, target: dynamoTarget, clock: systemClock };
  let kinesisClient: ReturnType<typeof createKinesisClient> | undefined;
  let kinesis: AwsKinesisPort | undefined;
  return {
    table,
    dynamoTarget,
    store: createDynamoLeaseStore({ ...common, random: systemRandom, consistentScan: true }),
    operator: createDynamoOperatorStore(common),
    kinesis() {
      if (!kinesis) {
        kinesisClient = createKinesisClient({ ...aws, kinesisEndpoint: args.kinesisEndpoint });
        kinesis = createAwsKinesis(kinesisClient.client, kinesisClient.target);
      }
      return kinesis;
    },
    close() {
      dynamo.client.destroy();
      kinesis?.close();
      kinesisClient?.client.destroy();
    },
  };
}

/** The options every `leases` command takes. */
export function commonOptions(y: Argv): Argv {
  return y
    .option("app", { type: "string", describe: "Application name (the lease table defaults to it)" })
    .option("table", { type: "string", describe: "Lease table name [the app name]" })
    .option("json", { type: "boolean", describe: "Print JSON instead of text" })
    .option("region", { type: "string", describe: "AWS region [AWS_REGION / AWS_DEFAULT_REGION / profile]" })
    .option("dynamodb-endpoint", {
      type: "string",
      describe: "DynamoDB endpoint [AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL]",
    });
}

export function kinesisEndpointOption(y: Argv): Argv {
  return y.option("kinesis-endpoint", {
    type: "string",
    describe: "Kinesis endpoint [AWS_ENDPOINT_URL_KINESIS / AWS_ENDPOINT_URL]",
  });
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
