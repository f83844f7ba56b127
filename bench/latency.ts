// Polling vs enhanced fan-out, in one run (numbers go to the README by hand):
// - steady: a producer at --rate records/s on 4 shards; latency = processRecords time − the record's
//   ApproximateArrivalTimestamp (same host clock), one in-process worker per mode: polling, efo
//   (kinesis-mock pushes on its own fixed 1 s timer) and efo-push (bench/harness/push-fan-out.ts pushes as
//   soon as a tight reader sees the records in the same stream; its own put → push delay is reported
//   apart, so what kcl-ts's fan-out pipeline adds is push → processRecords). On kinesis-mock, then on
//   kinesalite (polling and efo-push: its GetRecords answers fast, so the reader's delay is small).
// - drains: records loaded once into a 4-shard stream, then read from TRIM_HORIZON by one worker process
//   per mode in turn (bench/harness/drain-worker.ts; its own app): spawn → last record, records/s, the
//   worker process's CPU per record. --mock-drain records on kinesis-mock (polling, efo, efo-push; its
//   PutRecords slows as a stream grows, so this stays small) and --drain records on kinesalite (polling
//   and efo-push: kinesalite has no fan-out of its own, so the push server serves it, consumer
//   administration stubbed in the worker).
// Run: bun bench/latency.ts [--seconds 30] [--rate 200] [--modes polling,efo,efo-push]
//   [--steady-on kinesis-mock,kinesalite]
//   [--mock-drain 10000] [--drain 200000]. Not part of `npm run bench`.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { createStream, putRecords, startTestAws, uniqueName } from "../test/support/aws.ts";
import { startKinesisMock } from "../test/support/kinesis-mock.ts";
import { startPushFanOut } from "./harness/push-fan-out.ts";
import { type Mode, startModeWorker, type Target } from "./harness/retrieval-modes.ts";
import { round } from "./stats.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" },
    rate: { type: "string", default: "200" },
    drain: { type: "string", default: "200000" },
    modes: { type: "string", default: "polling,efo,efo-push" },
    "mock-drain": { type: "string", default: "10000" },
    "steady-on": { type: "string", default: "kinesis-mock,kinesalite" },
  },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const drainRecords = Number(values.drain);
const modes = values.modes.split(",").filter(Boolean) as Mode[];
const mockDrain = Number(values["mock-drain"]);
const steadyOn = values["steady-on"].split(",");

const dynamo = await startTestAws();
const mock = await startKinesisMock();
const log = (m: string) => process.stderr.write(`[latency ${new Date().toISOString()}] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function steady(mode: Mode, on: "kinesis-mock" | "kinesalite") {
  const kinesis = on === "kinesis-mock" ? mock.kinesis : dynamo.kinesis;
  const target: Target =
    on === "kinesis-mock" ? { kind: on, mock } : { kind: on, kinesisEndpoint: dynamo.kinesisEndpoint };
  const stream = uniqueName(`lat-${mode}`);
  await createStream(kinesis, stream, 4);
  const total: number[] = [];
  const own: number[] = [];
  const server: number[] = [];
  let measuring = false;
  let pushedAt: Map<string, number> | undefined;
  const w = await startModeWorker(mode, target, dynamo.dynamodbEndpoint, stream, (records) => {
    const now = Date.now();
    if (!measuring) return;
    for (const r of records) {
      total.push(now - r.approximateArrivalTimestamp.getTime());
      const pushed = pushedAt?.get(r.sequenceNumber);
      if (pushed === undefined) continue;
      own.push(now - pushed);
      server.push(pushed - r.approximateArrivalTimestamp.getTime());
    }
  });
  pushedAt = w.pushedAt;
  // Puts on a fixed 100 ms beat, several in flight, so a slow PutRecords does not lower the rate.
  const perTick = Math.max(1, Math.round(rate / 10));
  const warmupMs = 5000;
  const started = performance.now();
  let i = 0;
  let put = 0;
  const inFlight = new Set<Promise<void>>();
  while (performance.now() - started < warmupMs + seconds * 1000) {
    const tick = performance.now();
    measuring = tick - started >= warmupMs;
    if (inFlight.size < 10) {
      const batch = Array.from({ length: perTick }, () => ({
        partitionKey: `k${i++}`,
        data: "x".repeat(100),
      }));
      const p: Promise<void> = putRecords(kinesis, stream, batch).then(() => {
        if (measuring) put += batch.length;
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await sleep(Math.max(0, 100 - (performance.now() - tick)));
  }
  await Promise.all(inFlight);
  await sleep(3000);
  measuring = false;
  await w.stop();
  const r = {
    emulator: on,
    mode,
    records: total.length,
    putPerSecond: round(put / seconds, 0),
    p50: pct(total, 50),
    p99: pct(total, 99),
    ...(own.length > 0
      ? {
          putToPushP50: pct(server, 50),
          putToPushP99: pct(server, 99),
          pushToProcessP50: pct(own, 50),
          pushToProcessP99: pct(own, 99),
        }
      : {}),
  };
  log(`steady ${JSON.stringify(r)}`);
  return r;
}

async function load(kinesis: KinesisClient, records: number): Promise<string> {
  const stream = uniqueName("drain");
  await createStream(kinesis, stream, 4);
  const t0 = performance.now();
  let next = 0;
  const putter = async () => {
    while (next < records) {
      const from = next;
      next += 500;
      const batch = Array.from({ length: Math.min(500, records - from) }, (_, j) => ({
        partitionKey: `k${from + j}`,
        data: "x".repeat(100),
      }));
      await putRecords(kinesis, stream, batch);
    }
  };
  await Promise.all([putter(), putter(), putter(), putter()]);
  log(`loaded ${records} records in ${round((performance.now() - t0) / 1000, 1)} s`);
  return stream;
}

interface DrainTarget {
  emulator: "kinesis-mock" | "kinesalite";
  kinesis: KinesisClient;
  kinesisEndpoint: string;
  /** SubscribeToShard served by the emulator itself (kinesis-mock only). */
  subscribeEndpoint?: string;
}

/** One worker process drains `stream` (bench/harness/drain-worker.ts); the bench process hosts the rest. */
async function drain(t: DrainTarget, mode: Mode, stream: string, records: number) {
  const push = mode === "efo-push" ? await startPushFanOut({ kinesis: t.kinesis, stream }) : undefined;
  const spec = {
    mode: mode === "polling" ? "polling" : "efo",
    stream,
    expect: records,
    kinesisEndpoint: t.kinesisEndpoint,
    dynamodbEndpoint: dynamo.dynamodbEndpoint,
    subscribeEndpoint: push?.endpoint ?? t.subscribeEndpoint,
    stubConsumers: t.emulator === "kinesalite",
  };
  const t0 = Date.now();
  const child = spawn(process.execPath, [join(import.meta.dir, "harness/drain-worker.ts")], {
    env: { ...process.env, DRAIN: JSON.stringify(spec) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Record<string, number>[] = [];
  child.stdout.setEncoding("utf8");
  let buffer = "";
  child.stdout.on("data", (c: string) => {
    buffer += c;
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      lines.push(JSON.parse(buffer.slice(0, i)));
      buffer = buffer.slice(i + 1);
    }
  });
  const deadline = Date.now() + 900_000;
  while (!lines.some((l) => l.done) && Date.now() < deadline && child.exitCode === null) await sleep(100);
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null) child.kill("SIGKILL");
  await push?.stop();
  const first = lines.find((l) => l.first)?.first;
  const done = lines.find((l) => l.done);
  if (!done || !first)
    throw new Error(`drain ${mode} on ${t.emulator}: no completion (${JSON.stringify(lines)})`);
  const r = {
    emulator: t.emulator,
    mode,
    records: done.got!,
    seconds: round((done.done! - t0) / 1000, 1),
    /** Process spawn → the last record processed. */
    recordsPerSecond: round(done.got! / ((done.done! - t0) / 1000), 0),
    /** First → last record: the rate without start-up (process, consumer, leases, subscriptions). */
    recordsPerSecondAfterFirst: round(done.got! / ((done.done! - first) / 1000), 0),
    /** The worker process's own CPU (user + system, from its start) per record. */
    cpuMicrosPerRecord: round(done.cpuMicros! / done.got!, 1),
  };
  log(`drain ${JSON.stringify(r)}`);
  return r;
}

try {
  const steadyResults = [];
  if (steadyOn.includes("kinesis-mock"))
    for (const m of modes) steadyResults.push(await steady(m, "kinesis-mock"));
  if (steadyOn.includes("kinesalite"))
    for (const m of modes.filter((x) => x !== "efo")) steadyResults.push(await steady(m, "kinesalite"));
  const drainResults = [];
  if (mockDrain > 0) {
    const target: DrainTarget = {
      emulator: "kinesis-mock",
      kinesis: mock.kinesis,
      kinesisEndpoint: mock.endpoint,
      subscribeEndpoint: mock.subscribeEndpoint,
    };
    const stream = await load(mock.kinesis, mockDrain);
    for (const m of ["polling", "efo", "efo-push"] as const)
      drainResults.push(await drain(target, m, stream, mockDrain));
  }
  if (drainRecords > 0) {
    const target: DrainTarget = {
      emulator: "kinesalite",
      kinesis: dynamo.kinesis,
      kinesisEndpoint: dynamo.kinesisEndpoint,
    };
    const stream = await load(dynamo.kinesis, drainRecords);
    for (const m of ["polling", "efo-push"] as const)
      drainResults.push(await drain(target, m, stream, drainRecords));
  }
  console.log(
    JSON.stringify({
      scenario: "latency",
      date: new Date().toISOString(),
      rate,
      seconds,
      steady: steadyResults,
      drain: drainResults,
    }),
  );
} finally {
  await mock.stop();
  await dynamo.stop();
}
