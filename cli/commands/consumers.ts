// `kcl-ts consumers list|deregister`: the enhanced fan-out stream consumers of a stream, for operators.
// kcl-ts registers a consumer on first use but never removes one (it is billed per consumer-shard hour).
import type { Argv } from "yargs";
import { createKinesisClient } from "../../src/aws/clients.ts";
import { ConfigurationError, DependencyError } from "../../src/core/errors.ts";
import { createAwsFanOut } from "../../src/kinesis/aws-fan-out.ts";
import type { FanOutPort, StreamConsumer } from "../../src/kinesis/fan-out-port.ts";
import { envCredentials } from "../aws-env.ts";
import { EXIT, reportFailure } from "../exit-codes.ts";
import type { CliCommand } from "./index.ts";

export interface ConsumersArgs {
  action?: "list" | "deregister";
  stream?: string;
  consumerName?: string;
  consumerArn?: string;
  json?: boolean;
  region?: string;
  kinesisEndpoint?: string;
}

export interface ConsumersDeps {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
  /** Default: the AWS adapter over an HTTP/1.1 client (no subscription is opened here). */
  createPort?: (
    args: ConsumersArgs,
    env: Record<string, string | undefined>,
  ) => { port: FanOutPort; close(): void };
}

function defaultPort(args: ConsumersArgs, env: Record<string, string | undefined>) {
  const { client, target } = createKinesisClient({
    region: args.region,
    kinesisEndpoint: args.kinesisEndpoint,
    credentials: envCredentials(env),
    env,
    maxAttempts: 2,
  });
  return { port: createAwsFanOut(client, client, target), close: () => client.destroy() };
}

function table(consumers: StreamConsumer[]): string[] {
  const rows = consumers.map((c) => [
    c.consumerName,
    c.status,
    c.createdAt?.toISOString() ?? "-",
    c.consumerArn,
  ]);
  const head = ["NAME", "STATUS", "CREATED", "ARN"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
}

export async function runConsumers(args: ConsumersArgs, deps: ConsumersDeps): Promise<number> {
  let close = () => {};
  try {
    if (!args.stream) {
      throw new ConfigurationError(`consumers ${args.action ?? "list"} needs --stream <name>.`, {
        option: "stream",
      });
    }
    if (args.action === "deregister" && !args.consumerName && !args.consumerArn) {
      throw new ConfigurationError(
        "consumers deregister needs --consumer-name <name> (kcl-ts's default is the app name) or --consumer-arn <arn>.",
        { option: "consumer-name" },
      );
    }
    const made = (deps.createPort ?? defaultPort)(args, deps.env);
    close = made.close;
    const streamArn = await made.port.streamArn(args.stream);
    const consumers = await made.port.listConsumers(streamArn);
    if (args.action !== "deregister") {
      if (args.json) deps.stdout.write(`${JSON.stringify(consumers, null, 2)}\n`);
      else if (consumers.length === 0)
        deps.stdout.write(`stream ${args.stream} has no enhanced fan-out consumers.\n`);
      else deps.stdout.write(`${table(consumers).join("\n")}\n`);
      return EXIT.ok;
    }
    const target = consumers.find((c) =>
      args.consumerArn ? c.consumerArn === args.consumerArn : c.consumerName === args.consumerName,
    );
    if (!target) {
      throw new DependencyError(
        `stream ${args.stream} has no consumer ${args.consumerArn ?? JSON.stringify(args.consumerName)}` +
          ` (it has: ${consumers.map((c) => c.consumerName).join(", ") || "none"}). Check the name with \`kcl-ts consumers list\`.`,
        "missing",
        { stream: args.stream },
      );
    }
    await made.port.deregisterConsumer(target.consumerArn);
    const done = { ...target, status: "DELETING" as const };
    if (args.json) deps.stdout.write(`${JSON.stringify(done, null, 2)}\n`);
    else
      deps.stdout.write(
        `deregistering ${target.consumerName} (${target.consumerArn}); workers still reading through it lose their subscriptions.\n`,
      );
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, deps.stderr);
  } finally {
    close();
  }
}

export const consumersCommand: CliCommand = {
  command: "consumers <action>",
  describe: "Enhanced fan-out consumers of a stream: list | deregister (--json)",
  builder: (y: Argv) =>
    y
      .positional("action", { choices: ["list", "deregister"] as const, describe: "What to do" })
      .option("stream", { type: "string", describe: "Kinesis data stream name" })
      .option("consumer-name", {
        type: "string",
        describe: "deregister: the consumer (kcl-ts default: the app name)",
      })
      .option("consumer-arn", { type: "string", describe: "deregister: the consumer ARN" })
      .option("json", { type: "boolean", describe: "Print JSON" })
      .option("region", {
        type: "string",
        describe: "AWS region [AWS_REGION / AWS_DEFAULT_REGION / profile]",
      })
      .option("kinesis-endpoint", {
        type: "string",
        describe: "Kinesis endpoint [AWS_ENDPOINT_URL_KINESIS / AWS_ENDPOINT_URL]",
      })
      .example(
        "kcl-ts consumers list --stream orders",
        "name, status, creation time and ARN of each consumer",
      )
      .example("kcl-ts consumers deregister --stream orders --consumer-name billing", "stop paying for it")
      .strict(),
  handler: (argv) =>
    runConsumers(argv as ConsumersArgs, { stdout: process.stdout, stderr: process.stderr, env: process.env }),
};
