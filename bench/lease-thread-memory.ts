#!/usr/bin/env bun
// What the lease thread costs (issue 14): `kcl-ts consume` on a live stream (20 records/s), with and
// without `--no-lease-thread`, interleaved; RSS read from /proc after warm-up (medians over the runs),
// and the CPU of the window per OS thread of the process (by thread name: main, the lease thread, the
// JIT and GC helpers), to see where a difference comes from.
// With --traffic (from source only) it also counts the messages to and from the lease thread per kind
// (messages and JSON bytes per minute, harness/thread-traffic-preload.ts); counting costs CPU, so the
// CPU and RSS of such runs are not results.
//   bun bench/lease-thread-memory.ts [--runs 3] [--shards 4] [--warmup-seconds 15] [--window-seconds 10] [--binary] [--traffic]
//     [--only thread|no-thread]
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createStream, kinesisClient } from "./harness/aws.ts";
import { startKcl } from "./harness/consumers.ts";
import { DeliveryTracker } from "./harness/deliveries.ts";
import { startEmulatorServer } from "./harness/emulator.ts";
import { waitForOwnership } from "./harness/fleet.ts";
import { startProducer } from "./harness/producer.ts";
import { threadCpuByName } from "./harness/threads.ts";
import { killAll, REPO } from "./harness/processes.ts";
import { sleep } from "./harness/time.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    shards: { type: "string", default: "4" },
    "warmup-seconds": { type: "string", default: "15" },
    "window-seconds": { type: "string", default: "10" },
    binary: { type: "boolean", default: false },
    traffic: { type: "boolean", default: false },
    /** Measure one mode only (experiments: compare builds run by separate invocations). */
    only: { type: "string" },
  },
});
const runs = Number(values.runs);

/** CPU seconds per minute of each thread name ("main" for the main thread) between two readings. */
function perMinute(
  before: Map<string, number> | undefined,
  after: Map<string, number> | undefined,
  ms: number,
) {
  const out: Record<string, number> = {};
  for (const [name, s] of after ?? []) {
    const v = Math.round((((s - (before?.get(name) ?? 0)) * 60_000) / ms) * 100) / 100;
    if (v > 0) out[name] = v;
  }
  return out;
}
const shards = Number(values.shards);
const dir = join(REPO, ".bench-out", `lease-thread-memory-${new Date().toISOString().replace(/[:.]/g, "-")}`);
const trafficDir = join(dir, "traffic");
if (values.traffic) {
  mkdirSync(trafficDir, { recursive: true });
  process.env.BENCH_THREAD_TRAFFIC = trafficDir;
}

type Traffic = Record<string, { messages: number; bytes: number }>;

/** The preload's totals for `pid` so far (empty without --traffic or before its first write). */
function trafficOf(pid: number): Traffic {
  try {
    return (JSON.parse(readFileSync(join(trafficDir, `${pid}.json`), "utf8")) as { totals: Traffic }).totals;
  } catch {
    return {};
  }
}

/** Messages and kB (JSON) per minute of each kind between two trafficOf() readings. */
function trafficPerMinute(before: Traffic, after: Traffic, ms: number) {
  const out: Record<string, { messages: number; kB: number }> = {};
  const rate = (v: number) => (v * 60_000) / ms;
  for (const [kind, t] of Object.entries(after)) {
    const b = before[kind] ?? { messages: 0, bytes: 0 };
    const messages = Math.round(rate(t.messages - b.messages));
    if (messages > 0) out[kind] = { messages, kB: Math.round(rate(t.bytes - b.bytes) / 102.4) / 10 };
  }
  return out;
}

async function main(): Promise<void> {
  const emu = await startEmulatorServer(dir);
  const kinesis = kinesisClient(emu);
  const stream = "bench-lease-thread-memory";
  await createStream(kinesis, stream, shards);
  const producer = startProducer(kinesis, stream, 20);
  type Result = {
    rssMB: number;
    peakMB: number;
    cpuPerMinute: Record<string, number>;
    trafficPerMinute?: ReturnType<typeof trafficPerMinute>;
  };
  const results: Record<"thread" | "no-thread", Result[]> = {
    thread: [],
    "no-thread": [],
  };
  for (let run = 1; run <= runs; run++) {
    const order: ("thread" | "no-thread")[] = run % 2 ? ["thread", "no-thread"] : ["no-thread", "thread"];
    for (const mode of order.filter((m) => values.only === undefined || m === values.only)) {
      const name = `${mode}-${run}`;
      const deliveries = join(dir, name);
      const proc = startKcl({
        name,
        emu,
        stream,
        app: `mem-${name}`,
        deliveriesDir: deliveries,
        logDir: dir,
        binary: values.binary,
        args: mode === "no-thread" ? ["--no-lease-thread"] : [],
      });
      await waitForOwnership(new DeliveryTracker(deliveries), [proc], [shards], 300_000);
      await sleep(Number(values["warmup-seconds"]) * 1000);
      const samples: number[] = [];
      const cpu0 = threadCpuByName(proc.pid);
      const traffic0 = trafficOf(proc.pid);
      const t0 = Date.now();
      const end = t0 + Number(values["window-seconds"]) * 1000;
      while (Date.now() < end) {
        samples.push(proc.sample()?.rssBytes ?? 0);
        await sleep(500);
      }
      proc.sample();
      const cpuPerMinute = perMinute(cpu0, threadCpuByName(proc.pid), Date.now() - t0);
      // The preload writes every second: its last totals may be up to 1 s older than the window's end.
      const traffic = values.traffic
        ? { trafficPerMinute: trafficPerMinute(traffic0, trafficOf(proc.pid), Date.now() - t0) }
        : {};
      const rssMB = Math.round((median(samples)! / 2 ** 20) * 10) / 10;
      const peakMB = Math.round((proc.peakRssBytes() / 2 ** 20) * 10) / 10;
      await proc.stop("SIGTERM", 30_000);
      results[mode].push({ rssMB, peakMB, cpuPerMinute, ...traffic });
      process.stderr.write(
        `${name}: RSS ${rssMB} MB (peak ${peakMB} MB); CPU s/min ${JSON.stringify(cpuPerMinute)}` +
          (values.traffic ? `; thread messages/min ${JSON.stringify(traffic.trafficPerMinute)}` : "") +
          "\n",
      );
    }
  }
  await producer.stop();
  await emu.stop();
  // NaN (null in the JSON) for a mode not measured (--only).
  const med = (mode: "thread" | "no-thread", k: "rssMB" | "peakMB") =>
    median(results[mode].map((r) => r[k])) ?? Number.NaN;
  const cpu = (mode: "thread" | "no-thread") => {
    const totals = results[mode].map((r) => Object.values(r.cpuPerMinute).reduce((a, b) => a + b, 0));
    return Math.round((median(totals) ?? Number.NaN) * 100) / 100;
  };
  const summary = {
    shards,
    runs,
    binary: values.binary,
    threadRssMB: med("thread", "rssMB"),
    noThreadRssMB: med("no-thread", "rssMB"),
    deltaRssMB: Math.round((med("thread", "rssMB") - med("no-thread", "rssMB")) * 10) / 10,
    threadPeakMB: med("thread", "peakMB"),
    noThreadPeakMB: med("no-thread", "peakMB"),
    /** CPU s/min of the whole process (every OS thread) in the window, median over the runs. */
    threadCpuPerMinute: cpu("thread"),
    noThreadCpuPerMinute: cpu("no-thread"),
    results,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

try {
  await main();
} finally {
  await killAll();
}
