// Starts the two kinds of consumer a scenario compares: `kcl-ts consume` with the bench plugin
// (from source via bun, or the compiled binary) and the raw GetRecords loop, each as its own process.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { EmulatorServer } from "./emulator.ts";
import { type BenchProcess, REPO, spawnBench } from "./processes.ts";

export const BENCH_PLUGIN = join(REPO, "plugins", "bench-recorder.ts");
/** The same recorder after real per-record work (JSON parse, hash, aggregate): `work: "json"`. */
export const BENCH_WORK_PLUGIN = join(REPO, "plugins", "bench-work.ts");
/**
 * BENCH_CPU_PROF=<dir>: consumers run from source write a markdown CPU profile there on exit
 * (bun --cpu-prof-md), to see where a consumer's CPU goes. Profiling costs CPU: never for results.
 * BENCH_CPU_PROF_FORMAT=json writes the .cpuprofile instead: bench/profile-samples.ts counts its
 * samples (the markdown weighs each sample by the time since the previous one, idle time included).
 */
const PROFILE = process.env.BENCH_CPU_PROF
  ? [
      process.env.BENCH_CPU_PROF_FORMAT === "json" ? "--cpu-prof" : "--cpu-prof-md",
      `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`,
    ]
  : [];
export const BINARY = join(REPO, "dist", "kcl-ts");
/**
 * BENCH_THREAD_TRAFFIC=<dir>: consumers run from source count the messages to and from the lease thread
 * (harness/thread-traffic-preload.ts writes <dir>/<pid>.json). Counting costs CPU: never for results.
 */
function trafficArgs(): string[] {
  return process.env.BENCH_THREAD_TRAFFIC
    ? ["--preload", join(REPO, "bench", "harness", "thread-traffic-preload.ts")]
    : [];
}

export interface ConsumerOptions {
  name: string;
  emu: EmulatorServer;
  stream: string;
  /** Where the delivery frames go (one <pid>.bin per process). */
  deliveriesDir: string;
  logDir: string;
  /** Per-record work before recording: none (default) or plugins/bench-work.ts's JSON aggregation. */
  work?: "none" | "json";
}

export interface KclOptions extends ConsumerOptions {
  app: string;
  /** Extra `consume` flags, e.g. ["--failover-ms", "10000"]. */
  args?: string[];
  /** Run the compiled binary instead of `bun cli/main.ts`. */
  binary?: boolean;
  initialPosition?: "TRIM_HORIZON" | "LATEST";
  /** `--output` (default json: cheapest, and nothing reads it). */
  output?: "json" | "lines" | "dashboard";
  /** Run on a pseudo-terminal of this size (the dashboard needs a terminal). */
  pty?: { cols: number; rows: number };
}

/**
 * KCL_BENCH_CONSUME_ARGS: flags added to every `kcl-ts consume` of a run, to compare two settings on the
 * same scenario (e.g. "--no-lease-thread" for the before/after of the lease thread).
 */
function extraConsumeArgs(): string[] {
  return (process.env.KCL_BENCH_CONSUME_ARGS ?? "").split(/\s+/).filter(Boolean);
}

export function startKcl(o: KclOptions): BenchProcess {
  mkdirSync(o.deliveriesDir, { recursive: true });
  const consume = [
    "consume",
    "--plugin",
    o.work === "json" ? BENCH_WORK_PLUGIN : BENCH_PLUGIN,
    "--stream",
    o.stream,
    "--app",
    o.app,
    "--initial-position",
    o.initialPosition ?? "TRIM_HORIZON",
    "--output",
    o.output ?? "json",
    ...(o.args ?? []),
    ...extraConsumeArgs(),
  ];
  return spawnBench(o.name, o.binary ? consume : [...PROFILE, ...trafficArgs(), "cli/main.ts", ...consume], {
    logDir: o.logDir,
    env: { ...o.emu.env, BENCH_OUT: o.deliveriesDir },
    ...(o.binary ? { exe: BINARY } : {}),
    ...(o.pty ? { pty: o.pty } : {}),
  });
}

export interface RawOptions extends ConsumerOptions {
  idleTimeMs?: number;
  maxRecords?: number;
  /** The engine's pacing rule (default 0: no pause while behind, as the engine's round 1). */
  pollIntervalMs?: number;
}

export function startRaw(o: RawOptions): BenchProcess {
  mkdirSync(o.deliveriesDir, { recursive: true });
  return spawnBench(
    o.name,
    [
      ...PROFILE,
      "bench/raw-loop.ts",
      "--stream",
      o.stream,
      "--idle-time-ms",
      String(o.idleTimeMs ?? 1000),
      "--max-records",
      String(o.maxRecords ?? 10_000),
      "--poll-interval-ms",
      String(o.pollIntervalMs ?? 0),
      "--work",
      o.work ?? "none",
    ],
    { logDir: o.logDir, env: { ...o.emu.env, BENCH_OUT: o.deliveriesDir } },
  );
}
