// `kcl-ts demo` (npm run demo): no AWS account; embedded emulators on one port, a producer, a fleet of
// `consume` processes sharing one lease table, a split and a kill on a timer or a key press, and the
// leases moving on screen. Ends by itself (or on q / Ctrl-C) and stops every process it started.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Argv } from "yargs";
import { createDynamoDbClient, createKinesisClient } from "../../src/aws/clients.ts";
import { type Clock, systemClock } from "../../src/core/clock.ts";
import { ConfigurationError } from "../../src/core/errors.ts";
import type { KclEvent } from "../../src/core/events.ts";
import { type DemoWorker, spawnWorker } from "../demo/fleet.ts";
import { writeDemoPlugin } from "../demo/plugin.ts";
import { splitWidestShard } from "../demo/reshard.ts";
import { type DemoAction, type DemoPlan, defaultPlan } from "../demo/scenario.ts";
import { listenForKeys } from "../demo/keys.ts";
import { watchLeases } from "../demo/lease-watch.ts";
import { elapsed, eventLine } from "../demo/view.ts";
import { EXIT, reportFailure } from "../exit-codes.ts";
import { startProducer } from "../local/producer.ts";
import { startLocalServer } from "../local/server.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../local/stack.ts";
import { ensureStream } from "../local/stream.ts";
import { selfCommand } from "../self-command.ts";
import { forcedExitCode, handleShutdownSignals, type SignalSource } from "../signals.ts";
import type { CliCommand } from "./index.ts";

export interface DemoArgs {
  seconds?: number;
  workers?: number;
  rate?: number;
  shards?: number;
}

export interface DemoDeps {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  signals: SignalSource;
  forceExit: (code: number) => void;
  env: Record<string, string | undefined>;
  clock?: Clock;
  /** argv prefix that starts kcl-ts (default: this CLI, see self-command.ts). */
  command?: string[];
  /** Overrides the timeline (tests run a compressed one). */
  plan?: DemoPlan;
}

const KEYS = { a: "add", k: "kill", s: "split" } as const;
const STREAM = "kcl-demo";
const APP = "kcl-demo";

function check(args: DemoArgs): Required<DemoArgs> {
  const a = {
    seconds: args.seconds ?? 60,
    workers: args.workers ?? 2,
    rate: args.rate ?? 20,
    shards: args.shards ?? 4,
  };
  const bad = (option: string, rule: string) => new ConfigurationError(`--${option}: ${rule}.`, { option });
  if (!(a.seconds === 0 || (a.seconds >= 10 && a.seconds <= 3600)))
    throw bad("seconds", "0 (until q) or 10..3600");
  if (!Number.isInteger(a.workers) || a.workers < 2 || a.workers > 6) throw bad("workers", "2..6");
  if (!(a.rate > 0 && a.rate <= 1000)) throw bad("rate", "records per second, 1..1000");
  if (!Number.isInteger(a.shards) || a.shards < 1 || a.shards > 16) throw bad("shards", "1..16");
  return a;
}

export async function runDemo(args: DemoArgs, deps: DemoDeps): Promise<number> {
  const clock = deps.clock ?? systemClock;
  const out = (line: string) => deps.stdout.write(`${line}\n`);
  const t0 = clock.monotonic();
  const now = () => clock.monotonic() - t0;
  const quit = new AbortController();
  const workers: DemoWorker[] = [];
  const processed = new Map<string, number>();
  const cleanups: (() => unknown)[] = [];
  try {
    const a = check(args);
    const plan = deps.plan ?? defaultPlan(a.seconds, a.workers);
    const server = await startLocalServer({ port: 0 });
    cleanups.push(() => server.stop());
    const plugin = writeDemoPlugin();
    cleanups.push(() => plugin.remove());
    const aws = { region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS }, env: {} };
    const kinesis = createKinesisClient({ ...aws, kinesisEndpoint: server.kinesisEndpoint }).client;
    const dynamodb: DynamoDBClient = createDynamoDbClient({
      ...aws,
      dynamodbEndpoint: server.dynamodbEndpoint,
    }).client;
    cleanups.push(
      () => kinesis.destroy(),
      () => dynamodb.destroy(),
    );
    await ensureStream(kinesis, STREAM, a.shards, clock);
    const producer = startProducer({ kinesis, stream: STREAM, recordsPerSecond: a.rate, clock });
    out(
      `kcl-ts demo: Kinesis + DynamoDB emulators on ${server.endpoint}; stream ${STREAM} (${a.shards} shards), ${a.rate} records/s`,
    );
    out(
      `workers run: kcl-ts consume --stream ${STREAM} --app ${APP} --plugin <demo processor> --output json`,
    );
    const interactive = Boolean(deps.stdin?.isTTY && deps.stdin.setRawMode);
    out(
      interactive
        ? "keys: a add a worker · k kill a worker · s split a shard · q quit"
        : "(not a terminal: timer only)",
    );

    const env: Record<string, string | undefined> = {
      ...deps.env,
      AWS_ENDPOINT_URL: server.endpoint,
      AWS_REGION: LOCAL_REGION,
    };
    for (const key of ["AWS_ENDPOINT_URL_KINESIS", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"])
      delete env[key];
    Object.assign(env, { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" });
    const command = deps.command ?? selfCommand();
    const consumeArgs = (name: string) => [
      "consume",
      "--stream",
      STREAM,
      "--app",
      APP,
      "--plugin",
      plugin.file,
      "--output",
      "json",
      "--worker-id",
      name,
      "--initial-position",
      "TRIM_HORIZON",
      "--failover-ms",
      String(plan.failoverMs),
      "--shard-sync-ms",
      String(plan.shardSyncMs),
      "--idle-time-ms",
      "500",
      "--checkpoint-interval-ms",
      "2000",
      "--shutdown-timeout-ms",
      "10000",
    ];

    const act = async (action: DemoAction, note: string) => {
      if (note) out(`${elapsed(now())} ── ${note}`);
      if (action === "add") {
        const name = `worker-${String.fromCharCode(65 + workers.length)}`;
        workers.push(
          spawnWorker(name, {
            command,
            args: consumeArgs(name),
            env,
            onEvent: (w, event) => {
              if (event.type === "records-summary") {
                processed.set(w, (processed.get(w) ?? 0) + Number(event.records ?? 0));
                return;
              }
              const line = eventLine(now(), w, event as unknown as KclEvent);
              if (line) out(line);
            },
            onStderr: (w, line) => out(`${elapsed(now())} ${w.padEnd(9)} ${line}`),
          }),
        );
        out(`${elapsed(now())} ${name.padEnd(9)} started (pid ${workers.at(-1)?.pid})`);
      } else if (action === "kill") {
        const alive = workers.filter((w) => w.alive);
        const counts = leases.counts();
        const victim = alive.sort((x, y) => (counts.get(y.name) ?? 0) - (counts.get(x.name) ?? 0))[0];
        if (!victim) return;
        victim.signal("SIGKILL");
        out(`${elapsed(now())} ${victim.name.padEnd(9)} killed with SIGKILL: no shutdown, no lease release`);
      } else {
        try {
          const { parent, openShards } = await splitWidestShard(kinesis, STREAM, clock);
          out(`${elapsed(now())} stream    split ${parent}: ${openShards} open shards now`);
        } catch (error) {
          out(`${elapsed(now())} stream    split failed: ${(error as Error).message}`);
        }
      }
    };

    const leases = watchLeases({
      dynamodb,
      table: APP,
      target: { region: LOCAL_REGION, endpoint: server.endpoint },
      clock,
      signal: quit.signal,
      onChange: (map) => out(`${elapsed(now())} leases    ${map}`),
    });

    const steps = plan.steps.map(async (step) => {
      await clock.sleep(step.atMs, quit.signal);
      await act(step.action, step.note);
    });
    void Promise.allSettled(steps);
    if (plan.endAtMs > 0) {
      clock.sleep(plan.endAtMs, quit.signal).then(
        () => quit.abort(),
        () => {},
      );
    }
    if (interactive && deps.stdin) {
      const stopKeys = listenForKeys(deps.stdin, (key) => {
        if (key === "q" || key === "\u0003") quit.abort();
        else if (key === "a" || key === "k" || key === "s") void act(KEYS[key], "");
      });
      cleanups.push(stopKeys);
    }
    const removeSignals = handleShutdownSignals(
      deps.signals,
      () => quit.abort(),
      (signal) => {
        for (const w of workers) w.signal("SIGKILL");
        deps.forceExit(forcedExitCode(signal));
      },
    );
    cleanups.push(removeSignals);

    await new Promise<void>((resolve) =>
      quit.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    out(`${elapsed(now())} ── stopping: producer first, then every worker gracefully (SIGTERM)`);
    await producer.stop();
    await clock.sleep(1500);
    for (const w of workers) w.signal("SIGTERM");
    // The deadline timer is cancelled once all exit: a pending timer would keep the demo alive.
    const deadline = new AbortController();
    const settled = await Promise.race([
      Promise.all(workers.map((w) => w.exited)).then(() => true),
      clock.sleep(20_000, deadline.signal).then(
        () => false,
        () => true,
      ),
    ]);
    deadline.abort();
    if (!settled) for (const w of workers) w.signal("SIGKILL");
    await leases.done;
    const total = [...processed.values()].reduce((x, y) => x + y, 0);
    const perWorker = [...processed].map(([w, n]) => `${w} ${n}`).join(", ");
    out(`records: produced ${producer.produced}, processed ${total} (${perWorker || "none"})`);
    out(
      total >= producer.produced
        ? "every record was processed at least once; the surplus is records redelivered after a lease moved (stolen, or taken from the killed worker) before its last checkpoint."
        : `${producer.produced - total} records were still unprocessed at the stop: their shards resume from the last checkpoint next time.`,
    );
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, deps.stderr);
  } finally {
    quit.abort();
    for (const w of workers) w.signal("SIGKILL");
    await Promise.all(workers.map((w) => w.exited));
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

export const demoCommand: CliCommand = {
  command: "demo",
  describe: "Watch a local fleet consume, rebalance, reshard, fail over (no AWS)",
  builder: (y: Argv) =>
    y
      .option("seconds", { type: "number", describe: "Length of the timed story; 0 = until q [60]" })
      .option("workers", { type: "number", describe: "Workers before the kill [2]" })
      .option("rate", { type: "number", describe: "Records per second produced [20]" })
      .option("shards", { type: "number", describe: "Shards of the demo stream [4]" })
      .strict(),
  handler: (argv) =>
    runDemo(argv as DemoArgs, {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      signals: process,
      forceExit: (code) => process.exit(code),
      env: process.env,
    }),
};
