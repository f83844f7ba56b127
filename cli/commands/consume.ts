// `kcl-ts consume`: validate options, load the plugin (before any AWS call), optionally start the
// embedded emulators, run one worker with the chosen output, and stop gracefully on SIGINT/SIGTERM.
import { type Clock, systemClock } from "../../src/core/clock.ts";
import { ConfigurationError } from "../../src/core/errors.ts";
import { type Random, randomSuffix, systemRandom } from "../../src/core/random.ts";
import type { StopResult, Worker, WorkerOptions } from "../../src/coordinator/types.ts";
import type { KclOptions } from "../../src/config/options.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import type { Argv } from "yargs";
import {
  type ConsumeArgs,
  mergeConsumeArgs,
  pickConsumeArgs,
  OUTPUT_MODES,
  type OutputMode,
  readConfigFile,
} from "../consume-options.ts";
import { envCredentials } from "../aws-env.ts";
import { EXIT, reportFailure } from "../exit-codes.ts";
import { type LocalStack, startLocalStack } from "../local/stack.ts";
import {
  metricsSettings,
  type RunningMetrics,
  type startMetrics,
  startWorkerMetrics,
} from "../metrics/index.ts";
import { type LoadedPlugin, loadPlugin } from "../plugin-loader.ts";
import type { ProcessorPlugin } from "../../src/plugin.ts";
import { defaultOutputMode, type OutputOptions, type OutputStream, startOutput } from "../output/index.ts";
import { forcedExitCode, handleShutdownSignals, type SignalSource } from "../signals.ts";
import type { CliCommand } from "./index.ts";
import { processDeps, withConsumeOptions } from "./worker-command.ts";

export interface ConsumeDeps {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: OutputStream;
  stderr: { write(s: string): unknown };
  stdin?: OutputOptions["stdin"];
  signals: SignalSource;
  /** The second signal's exit (the only exit that does not return a code). */
  forceExit: (code: number) => void;
  createWorker: (options: WorkerOptions) => Worker;
  hostname: () => string;
  pid: number;
  random?: Random;
  clock?: Clock;
  loadPlugin?: (file: string, options: { cwd: string }) => Promise<LoadedPlugin>;
  startLocal?: (options: {
    stream: string;
    moreStreams?: readonly string[];
    shards: number;
    produce?: number;
    clock: Clock;
  }) => Promise<LocalStack>;
  startOutput?: typeof startOutput;
  startMetrics?: typeof startMetrics;
  /** Called once SIGINT/SIGTERM stop the worker gracefully (the plugin has loaded): tests signal after it. */
  onReady?: () => void;
}

/** Host name + pid + random suffix: unique per live process, readable in the lease table. */
export function defaultWorkerId(hostname: string, pid: number, random: Random): string {
  return `${hostname}-${pid}-${randomSuffix(random, 6)}`;
}

function usage(option: string, message: string): ConfigurationError {
  return new ConfigurationError(message, { option });
}

/** Flags + config file → engine options, CLI-only settings; throws ConfigurationError (exit 2). */
export function prepareConsume(flags: ConsumeArgs, deps: Pick<ConsumeDeps, "cwd" | "stdout">) {
  const args = mergeConsumeArgs(flags, flags.config ? readConfigFile(flags.config, deps.cwd) : {});
  if (!args.plugin) {
    throw usage("plugin", "--plugin is required: the record processor module, e.g. --plugin ./handler.ts.");
  }
  return { ...prepareWorker(args, deps), plugin: args.plugin };
}

export type PreparedWorker = ReturnType<typeof prepareWorker>;

/** One stream: `stream` (plain shard-id lease keys); several: `streams` (multi-stream lease keys). */
function streamOptions(given: string | string[] | undefined): Pick<KclOptions, "stream" | "streams"> {
  const names = given === undefined ? [] : Array.isArray(given) ? given : [given];
  return names.length > 1 ? { streams: names } : { stream: names[0] as string };
}

/** Merged options (no plugin) → validated engine options and CLI settings: shared by consume and multilang. */
export function prepareWorker(args: ConsumeArgs, deps: Pick<ConsumeDeps, "stdout">) {
  const output = (args.output ?? defaultOutputMode(deps.stdout)) as OutputMode;
  if (!OUTPUT_MODES.includes(output)) {
    throw usage(
      "output",
      `--output ${JSON.stringify(args.output)}: must be one of ${OUTPUT_MODES.join(", ")}.`,
    );
  }
  const shards = args.shards ?? 4;
  if (args.shards !== undefined && !args.local) {
    throw usage("shards", "--shards only applies with --local (it sizes the stream --local creates).");
  }
  if (!Number.isInteger(shards) || shards < 1 || shards > 1000) {
    throw usage("shards", `--shards ${args.shards}: must be a whole number 1..1000.`);
  }
  const produce = args.produce ?? 0;
  if (args.produce !== undefined && !args.local) {
    throw usage("produce", "--produce only applies with --local (it feeds the stream --local creates).");
  }
  if (!Number.isFinite(produce) || produce < 0 || produce > 10_000) {
    throw usage("produce", `--produce ${args.produce}: must be a number of records/s from 0 to 10000.`);
  }
  if (args.local && args.retrieval === "efo") {
    throw usage(
      "retrieval",
      "--retrieval efo: --local runs kinesalite, which has no enhanced fan-out (no stream consumers, no SubscribeToShard). Drop --retrieval efo, or point --kinesis-endpoint at kinesis-mock or AWS.",
    );
  }
  if (args.local && (args.kinesisEndpoint || args.dynamodbEndpoint)) {
    throw usage("local", "--local starts its own emulators: drop --kinesis-endpoint/--dynamodb-endpoint.");
  }
  const options: KclOptions = {
    app: args.app as string,
    ...streamOptions(args.stream),
    table: args.table,
    workerId: args.workerId,
    region: args.region,
    kinesisEndpoint: args.kinesisEndpoint,
    dynamodbEndpoint: args.dynamodbEndpoint,
    initialPosition: args.initialPosition as KclOptions["initialPosition"],
    timestamp: args.timestamp,
    maxRecords: args.maxRecords,
    idleTimeMs: args.idleTimeMs,
    pollIntervalMs: args.pollIntervalMs,
    retrieval: args.retrieval as KclOptions["retrieval"],
    consumerName: args.consumerName,
    consumerArn: args.consumerArn,
    failoverMs: args.failoverMs,
    renewIntervalMs: args.renewIntervalMs,
    takerIntervalMs: args.takerIntervalMs,
    leaseAssignment: args.leaseAssignment as KclOptions["leaseAssignment"],
    assignerIntervalMs: args.assignerIntervalMs,
    assignerScanMs: args.assignerScanMs,
    ownerQueryMs: args.ownerQueryMs,
    maxLeasesForWorker: args.maxLeasesForWorker,
    maxLeasesToSteal: args.maxLeasesToSteal,
    shardSyncMs: args.shardSyncMs,
    checkpoint: args.checkpoint as KclOptions["checkpoint"],
    checkpointIntervalMs: args.checkpointIntervalMs,
    onError: args.onError as KclOptions["onError"],
    shutdownTimeoutMs: args.shutdownTimeoutMs,
    processorWarnMs: args.processorWarnMs,
    leaseThread: args.leaseThread,
    renewalBatching: args.renewalBatching,
    processEmptyBatches: args.processEmptyBatches,
  };
  // Validate everything now: a bad option must fail before the plugin loads or AWS is called.
  const config = resolveConfig(options);
  const metrics = metricsSettings(args);
  return { options, config, output, local: args.local === true, shards, produce, metrics };
}

export async function runConsume(flags: ConsumeArgs, deps: ConsumeDeps): Promise<number> {
  return runWorkerCommand(async () => {
    const prepared = prepareConsume(flags, deps);
    const loaded = await (deps.loadPlugin ?? loadPlugin)(prepared.plugin, { cwd: deps.cwd });
    return { prepared, processor: loaded.plugin };
  }, deps);
}

/**
 * Runs one worker until it stops (embedded emulators, signals, output) and returns the exit code;
 * `setup` validates and loads everything that must fail before any AWS call.
 */
export async function runWorkerCommand(
  setup: () => Promise<{ prepared: PreparedWorker; processor: ProcessorPlugin }>,
  deps: ConsumeDeps,
): Promise<number> {
  const clock = deps.clock ?? systemClock;
  let local: LocalStack | undefined;
  let output: { stop(): Promise<void> } | undefined;
  let metrics: RunningMetrics | undefined;
  let removeSignals = () => {};
  try {
    const { prepared, processor } = await setup();

    const options: WorkerOptions = {
      ...prepared.options,
      processor,
      workerId:
        prepared.options.workerId ?? defaultWorkerId(deps.hostname(), deps.pid, deps.random ?? systemRandom),
      credentials: envCredentials(deps.env),
    };
    if (prepared.local) {
      local = await (deps.startLocal ?? startLocalStack)({
        stream: prepared.config.stream,
        moreStreams: prepared.config.streams.slice(1),
        shards: prepared.shards,
        produce: prepared.produce,
        clock,
      });
      options.kinesisEndpoint = local.kinesisEndpoint;
      options.dynamodbEndpoint = local.dynamodbEndpoint;
      options.region = options.region ?? local.region;
      options.credentials = local.credentials;
      deps.stderr.write(
        `kcl-ts: --local: emulators at ${local.kinesisEndpoint} (Kinesis) and ${local.dynamodbEndpoint} (DynamoDB); ${prepared.config.streams.length > 1 ? "streams" : "stream"} ${prepared.config.streams.join(", ")} ${prepared.config.streams.length > 1 ? "have" : "has"} ${local.shards} shards${prepared.config.streams.length > 1 ? " each" : ""}${prepared.produce ? `, ${prepared.produce} records/s produced` : ""}\n`,
      );
    }

    const worker = deps.createWorker(options);
    if (prepared.metrics) {
      // Before start(): /readyz answers 503 until the first shard sync and lease round.
      metrics = await startWorkerMetrics(worker, prepared.metrics, {
        now: () => clock.now(),
        stderr: deps.stderr,
        start: deps.startMetrics,
      });
    }
    // Observe `done` from the start so a failure before anyone awaits it is never unhandled.
    const done = worker.done.then(
      (result: StopResult) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    let stopRequested = false;
    const requestStop = (reason: string) => {
      if (stopRequested) return;
      stopRequested = true;
      // Failures of stop() surface through worker.done, which is awaited below.
      worker.stop(reason).catch(() => {});
    };
    removeSignals = handleShutdownSignals(
      deps.signals,
      (signal) => {
        deps.stderr.write(`kcl-ts: ${signal}: shutting down gracefully (send it again to force exit)\n`);
        requestStop(signal);
      },
      (signal) => {
        deps.stderr.write(`kcl-ts: ${signal} again: forcing exit without releasing leases\n`);
        deps.forceExit(forcedExitCode(signal));
      },
    );
    deps.onReady?.();
    output = await (deps.startOutput ?? startOutput)(prepared.output, {
      events: worker.events,
      worker,
      config: worker.config,
      stdout: deps.stdout,
      stdin: deps.stdin,
      requestStop,
      clock,
    });

    await worker.start();
    const outcome = await done;
    if (!outcome.ok) throw outcome.error;
    if (!outcome.result.clean) {
      deps.stderr.write(
        "kcl-ts: shutdown was not clean: not every lease was checkpointed and released (lost during shutdown, or past --shutdown-timeout-ms); other workers take those over after --failover-ms.\n",
      );
    }
    return EXIT.ok;
  } catch (error) {
    await output?.stop();
    output = undefined;
    return reportFailure(error, deps.stderr);
  } finally {
    removeSignals();
    await output?.stop();
    await metrics?.close();
    await local?.stop();
  }
}

function consumeBuilder(y: Argv): Argv {
  return withConsumeOptions(
    y.option("config", {
      type: "string",
      describe: "JSON file with any of these options (flags win)",
    }),
  )
    .example(
      "kcl-ts consume --plugin ./handler.ts --stream orders --app billing",
      "consume with a TypeScript processor",
    )
    .example(
      "kcl-ts consume --local --produce 50 --stream demo --app demo --plugin plugins/print-records.ts",
      "no AWS account: embedded emulators and a demo producer",
    )
    .epilogue(
      "Exit codes: 0 clean shutdown, 1 bug, 2 usage/config, 3 plugin load, 4 AWS dependency, 5 --on-error exit.",
    )
    .strict();
}

export const consumeCommand: CliCommand = {
  command: "consume",
  describe: "Consume a Kinesis stream with a TypeScript record processor plugin",
  builder: consumeBuilder,
  handler: (argv) => runConsume(pickConsumeArgs(argv), processDeps()),
};
