// `kcl-ts leases list`: prints the lease table (also one written by the Java KCL 2.x/3.x) for
// operators, as a terminal-sized table (one section per stream in a multi-stream table) with a
// per-owner summary, or as JSON.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Argv } from "yargs";
import { type ClientTarget, createDynamoDbClient, effectiveRegion } from "../../src/aws/clients.ts";
import { ConfigurationError } from "../../src/core/errors.ts";
import { envCredentials } from "../aws-env.ts";
import { EXIT, reportFailure } from "../exit-codes.ts";
import { formatSummary, summarize } from "../leases/format.ts";
import { readLeaseTable } from "../leases/read.ts";
import { formatLeaseSections } from "../leases/stream-sections.ts";
import { commonOptions } from "../leases/session.ts";
import type { CliCommand } from "./index.ts";

export interface LeasesListArgs {
  app?: string;
  table?: string;
  json?: boolean;
  region?: string;
  dynamodbEndpoint?: string;
}

export interface LeasesListDeps {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
  /** Builds the DynamoDB client (default: src/aws/clients.ts with the SDK chain). */
  createClient?: (
    args: LeasesListArgs,
    env: Record<string, string | undefined>,
  ) => {
    client: DynamoDBClient;
    target: ClientTarget;
  };
}

function defaultClient(args: LeasesListArgs, env: Record<string, string | undefined>) {
  // Two attempts keep an unreachable endpoint's failure well under the 15 s a user will wait.
  return createDynamoDbClient({
    region: args.region,
    dynamodbEndpoint: args.dynamodbEndpoint,
    credentials: envCredentials(env),
    env,
    maxAttempts: 2,
  });
}

export async function runLeasesList(args: LeasesListArgs, deps: LeasesListDeps): Promise<number> {
  let client: DynamoDBClient | undefined;
  try {
    const table = args.table || args.app;
    if (!table) {
      throw new ConfigurationError(
        "leases list needs --app <name> (the lease table defaults to the app name) or --table <name>.",
        { option: "app" },
      );
    }
    if (args.dynamodbEndpoint && !/^https?:\/\/[^\s/]+/.test(args.dynamodbEndpoint)) {
      throw new ConfigurationError(
        `--dynamodb-endpoint ${JSON.stringify(args.dynamodbEndpoint)}: must be an http(s) URL, e.g. http://127.0.0.1:4567.`,
        { option: "dynamodb-endpoint" },
      );
    }
    const created = (deps.createClient ?? defaultClient)(args, deps.env);
    client = created.client;
    const target = { ...created.target, region: created.target.region ?? (await effectiveRegion(client)) };
    const leases = await readLeaseTable(client, table, target);
    if (args.json) {
      deps.stdout.write(`${JSON.stringify(leases, null, 2)}\n`);
      return EXIT.ok;
    }
    const width = deps.stdout.isTTY ? deps.stdout.columns : undefined;
    const lines =
      leases.length === 0
        ? [`lease table ${table} has no leases yet (a worker creates them at its first shard sync).`]
        : [...formatLeaseSections(leases, width), "", ...formatSummary(summarize(leases))];
    deps.stdout.write(`${lines.join("\n")}\n`);
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, deps.stderr);
  } finally {
    client?.destroy();
  }
}

export const leasesListCommand: CliCommand = {
  command: "list",
  describe: "Print the lease table: owners, counters, checkpoints (also Java KCL 2.x/3.x tables)",
  builder: (y: Argv) =>
    commonOptions(y)
      .example("kcl-ts leases list --app billing", "owners, counters and checkpoints of app billing")
      .strict(),
  handler: (argv) =>
    runLeasesList(argv as LeasesListArgs, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    }),
};
