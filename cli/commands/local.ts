// `kcl-ts local`: serves the embedded Kinesis + DynamoDB emulators on one loopback port (optionally
// with a stream and a demo producer) until SIGINT/SIGTERM, so consumers in other terminals form a fleet.
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { Argv } from "yargs";
import { createKinesisClient } from "../../src/aws/clients.ts";
import { type Clock, systemClock } from "../../src/core/clock.ts";
import { ConfigurationError } from "../../src/core/errors.ts";
import { EXIT, reportFailure } from "../exit-codes.ts";
import { type Producer, startProducer } from "../local/producer.ts";
import { type LocalServer, type LocalServerOptions, startLocalServer } from "../local/server.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../local/stack.ts";
import { ensureStream } from "../local/stream.ts";
import { forcedExitCode, handleShutdownSignals, type SignalSource } from "../signals.ts";
import type { CliCommand } from "./index.ts";

export const DEFAULT_LOCAL_PORT = 4567;

export interface LocalArgs {
  port?: number;
  stream?: string;
  shards?: number;
  produce?: number;
}

export interface LocalDeps {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  signals: SignalSource;
  forceExit: (code: number) => void;
  clock?: Clock;
  startServer?: (options: LocalServerOptions) => Promise<LocalServer>;
  /** Called once serving (tests use it to talk to the server, then stop it). */
  onReady?: (server: LocalServer, stop: () => void) => void;
}

function checkArgs(args: LocalArgs): void {
  const port = args.port ?? DEFAULT_LOCAL_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigurationError(`--port ${args.port}: must be 0..65535 (0 = any free port).`, {
      option: "port",
    });
  }
  const shards = args.shards ?? 4;
  if (!Number.isInteger(shards) || shards < 1 || shards > 1000) {
    throw new ConfigurationError(`--shards ${args.shards}: must be a whole number 1..1000.`, {
      option: "shards",
    });
  }
  if (args.produce !== undefined) {
    if (!Number.isFinite(args.produce) || args.produce <= 0 || args.produce > 10_000) {
      throw new ConfigurationError(`--produce ${args.produce}: records per second must be 1..10000.`, {
        option: "produce",
      });
    }
    if (!args.stream) {
      throw new ConfigurationError("--produce needs --stream <name>: the stream to put demo records into.", {
        option: "produce",
      });
    }
  }
}

export async function runLocal(args: LocalArgs, deps: LocalDeps): Promise<number> {
  const clock = deps.clock ?? systemClock;
  let server: LocalServer | undefined;
  let producer: Producer | undefined;
  let kinesis: KinesisClient | undefined;
  let release = () => {};
  const stopped = new Promise<void>((resolve) => {
    release = resolve;
  });
  const removeSignals = handleShutdownSignals(
    deps.signals,
    (signal) => {
      deps.stderr.write(`kcl-ts local: ${signal}: stopping (send it again to force)\n`);
      release();
    },
    (signal) => deps.forceExit(forcedExitCode(signal)),
  );
  try {
    checkArgs(args);
    const port = args.port ?? DEFAULT_LOCAL_PORT;
    try {
      server = await (deps.startServer ?? startLocalServer)({ port });
    } catch (error) {
      if ((error as { code?: string }).code === "EADDRINUSE") {
        throw new ConfigurationError(
          `--port ${port}: 127.0.0.1:${port} is already in use. Stop what holds it, or pass another --port (0 = any free port).`,
          { option: "port" },
        );
      }
      throw error;
    }
    const out = deps.stdout;
    out.write(`kcl-ts local: Kinesis and DynamoDB emulators on ${server.endpoint} (in memory)\n`);
    out.write(`export AWS_ENDPOINT_URL=${server.endpoint}\n`);
    if (args.stream) {
      kinesis = createKinesisClient({
        kinesisEndpoint: server.kinesisEndpoint,
        region: LOCAL_REGION,
        credentials: { ...LOCAL_CREDENTIALS }, // a copy: the SDK annotates credential objects
        env: {},
      }).client;
      const shards = args.shards ?? 4;
      const result = await ensureStream(kinesis, args.stream, shards, clock);
      out.write(`stream ${args.stream}: ${result.shards} open shards${result.created ? " (created)" : ""}\n`);
      if (args.produce) {
        producer = startProducer({
          kinesis,
          stream: args.stream,
          recordsPerSecond: args.produce,
          clock,
          onError: (e) => deps.stderr.write(`kcl-ts local: producer: ${(e as Error).message}\n`),
        });
        out.write(`producing ${args.produce} records/s into ${args.stream}\n`);
      }
      out.write(
        `In another terminal: AWS_ENDPOINT_URL=${server.endpoint} kcl-ts consume --stream ${args.stream} --app <name> --plugin plugins/print-records.ts\n`,
      );
    }
    out.write("Press Ctrl-C to stop.\n");
    deps.onReady?.(server, release);
    await stopped;
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, deps.stderr);
  } finally {
    removeSignals();
    if (producer) {
      await producer.stop();
      deps.stdout.write(`produced ${producer.produced} records\n`);
    }
    kinesis?.destroy();
    await server?.stop();
  }
}

export const localCommand: CliCommand = {
  command: "local",
  describe: "Embedded Kinesis + DynamoDB emulators on one loopback port (no AWS)",
  builder: (y: Argv) =>
    y
      .option("port", {
        type: "number",
        describe: `Port on 127.0.0.1 (0 = any free port) [${DEFAULT_LOCAL_PORT}]`,
      })
      .option("stream", { type: "string", describe: "Create this stream if missing" })
      .option("shards", { type: "number", describe: "Shards of the stream it creates [4]" })
      .option("produce", {
        type: "number",
        describe: "Put demo records into --stream at this many records/s",
      })
      .example("kcl-ts local --stream demo --produce 20", "then: AWS_ENDPOINT_URL=… kcl-ts consume …")
      .strict(),
  handler: (argv) =>
    runLocal(argv as LocalArgs, {
      stdout: process.stdout,
      stderr: process.stderr,
      signals: process,
      forceExit: (code) => process.exit(code),
    }),
};
