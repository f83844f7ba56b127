// The output seam of `consume`: picks dashboard, lines or json and feeds it the engine's events.
// The dashboard needs a TTY; anywhere else (pipes, CI) it falls back to lines.
import type { ResolvedConfig } from "../../src/config/options.ts";
import { type Clock, every, systemClock } from "../../src/core/clock.ts";
import type { EventBus, KclEvent } from "../../src/core/events.ts";
import type { OutputMode } from "../consume-options.ts";
import { formatJson, formatJsonSummary } from "./json.ts";
import { formatLine, formatSummary } from "./lines.ts";
import { RecordsSummary } from "./summary.ts";

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface OutputOptions {
  events: EventBus;
  /** The running worker (the dashboard reads workerId/config from it; lines/json need only events). */
  worker?: { readonly workerId: string; readonly config: ResolvedConfig };
  config: ResolvedConfig;
  stdout: OutputStream;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** Asks the command for a graceful stop (the dashboard's q key). */
  requestStop: (reason: string) => void;
  /** Summary period for records/s and lag. Default 5000 ms. */
  summaryIntervalMs?: number;
  /** Repeating timer (default: system timer). Returns a cancel function. */
  every?: (ms: number, fn: () => void) => () => void;
  /** Time for summary windows and their timestamps (default: the system clock). */
  clock?: Clock;
}

export interface Output {
  /** Stops the output and prints the last summary. */
  stop(): Promise<void>;
}

/** What `--output` means when not given: the dashboard on a terminal, lines otherwise. */
export function defaultOutputMode(stdout: OutputStream): OutputMode {
  return stdout.isTTY ? "dashboard" : "lines";
}

/** Which mode actually runs: the dashboard only on a TTY and only once it is built in. */
export function effectiveMode(
  mode: OutputMode,
  stdout: OutputStream,
  dashboardAvailable: boolean,
): OutputMode {
  if (mode !== "dashboard") return mode;
  return stdout.isTTY && dashboardAvailable ? "dashboard" : "lines";
}

export async function startOutput(mode: OutputMode, options: OutputOptions): Promise<Output> {
  const actual = effectiveMode(mode, options.stdout, Boolean(options.stdin?.isTTY));
  if (actual === "dashboard") {
    // Loaded only when used: Ink and React stay out of `leases list`, pipes and --output json.
    // React's development build re-checks every render and builds component stacks: the dashboard
    // runs the production build, as the compiled binary does (build/binary.ts defines the same).
    // Only when unset, so a user's explicit NODE_ENV stays theirs.
    process.env.NODE_ENV ??= "production";
    const { startDashboard } = await import("../dashboard/index.ts");
    const { config } = options;
    return startDashboard({
      events: options.events,
      workerId: options.worker?.workerId ?? config.workerId ?? "",
      app: config.app,
      stream: config.stream,
      region: config.region,
      endpoint: config.kinesisEndpoint,
      failoverMs: config.failoverMs,
      stdout: options.stdout as NodeJS.WriteStream,
      stdin: options.stdin as NodeJS.ReadStream,
      requestStop: () => options.requestStop("dashboard q"),
      now: options.clock ? () => (options.clock as Clock).now() : undefined,
    });
  }
  return startStreamOutput(actual === "json" ? "json" : "lines", options);
}

/** lines and json: a listener on the event bus plus a periodic records summary. */
export function startStreamOutput(mode: "lines" | "json", options: OutputOptions): Output {
  const { stdout } = options;
  const interval = options.summaryIntervalMs ?? 5000;
  const clock = options.clock ?? systemClock;
  let workerId = options.worker?.workerId ?? options.config.workerId ?? "";
  const summary = new RecordsSummary(clock.monotonic());
  const format = mode === "json" ? formatJson : formatLine;

  const flush = () => {
    const window = summary.take(clock.monotonic());
    if (!window) return;
    stdout.write(
      `${mode === "json" ? formatJsonSummary(workerId, clock.now(), window) : formatSummary(clock.now(), window)}\n`,
    );
  };

  const unsubscribe = options.events.onAny((event: KclEvent) => {
    workerId = event.workerId;
    if (event.type === "records-processed") summary.addRecords(event);
    else if (event.type === "checkpoint-written" && event.by === "auto") summary.addAutoCheckpoint();
    // The last records of a worker that is stopping belong before its stop lines.
    if (event.type === "worker-stopping" || event.type === "worker-stopped") flush();
    const line = format(event);
    if (line !== undefined) stdout.write(`${line}\n`);
  });
  const cancelTimer = (options.every ?? every)(interval, flush);
  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      cancelTimer();
      unsubscribe();
      flush();
    },
  };
}
