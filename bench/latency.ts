// Polling vs enhanced fan-out on one kinesis-mock, in one run (numbers go to the README by hand):
// - steady: a producer at --rate records/s on 4 shards; latency = processRecords time − the record's
//   ApproximateArrivalTimestamp (same host clock), per mode: polling, efo (kinesis-mock pushes on its own
//   fixed 1 s timer) and efo-push (bench/harness/push-fan-out.ts pushes as soon as a tight reader sees the
//   records in the same kinesis-mock stream; its own put → push delay is reported apart, so what kcl-ts's
//   fan-out pipeline adds is push → processRecords).
// - drain: --drain records loaded once into one 4-shard stream, then read from TRIM_HORIZON by each mode
//   in turn (its own app and consumer): start → last record, records/s, CPU of this process per record.
// Run: bun bench/latency.ts [--seconds 30] [--rate 200] [--drain 200000] [--modes polling,efo,efo-push].
// Not part of `npm run bench` (kinesis-mock boots in ~5 s and loads slowly).
import { parseArgs } from "node:util";
import { createStream, putRecords, startTestAws, uniqueName } from "../test/support/aws.ts";
import { startKinesisMock } from "../test/support/kinesis-mock.ts";
import { type Mode, startModeWorker } from "./harness/retrieval-modes.ts";
import { round } from "./stats.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" },
    rate: { type: "string", default: "200" },
    drain: { type: "string", default: "200000" },
    modes: { type: "string", default: "polling,efo,efo-push" },
    "drain-modes": { type: "string", default: "polling,efo,efo-push" },
  },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const drainRecords = Number(values.drain);
const modes = values.modes.split(",").filter(Boolean) as Mode[];
const drainModes = values["drain-modes"].split(",").filter(Boolean) as Mode[];

const dynamo = await startTestAws();
const mock = await startKinesisMock();
const log = (m: string) => process.stderr.write(`[latency ${new Date().toISOString()}] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function steady(mode: Mode) {
  const stream = uniqueName(`lat-${mode}`);
  await createStream(mock.kinesis, stream, 4);
  const total: number[] = [];
  const own: number[] = [];
  const server: number[] = [];
  let measuring = false;
  let pushedAt: Map<string, number> | undefined;
  const w = await startModeWorker(mode, mock, dynamo.dynamodbEndpoint, stream, (records) => {
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
      const p: Promise<void> = putRecords(mock.kinesis, stream, batch).then(() => {
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

async function load(): Promise<string> {
  const stream = uniqueName("drain");
  await createStream(mock.kinesis, stream, 4);
  const t0 = performance.now();
  let next = 0;
  const putter = async () => {
    while (next < drainRecords) {
      const from = next;
      next += 500;
      const batch = Array.from({ length: Math.min(500, drainRecords - from) }, (_, j) => ({
        partitionKey: `k${from + j}`,
        data: "x".repeat(100),
      }));
      await putRecords(mock.kinesis, stream, batch);
    }
  };
  await Promise.all([putter(), putter(), putter(), putter()]);
  log(`loaded ${drainRecords} records in ${round((performance.now() - t0) / 1000, 1)} s`);
  return stream;
}

async function drain(mode: Mode, stream: string) {
  let got = 0;
  let first = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const batches: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const w = await startModeWorker(mode, mock, dynamo.dynamodbEndpoint, stream, (records) => {
    if (got === 0) first = performance.now();
    got += records.length;
    batches.push(records.length);
    if (got >= drainRecords) done();
  });
  await Promise.race([all, sleep(600_000)]);
  const end = performance.now();
  const ms = end - t0;
  const cpu = process.cpuUsage(cpu0);
  await w.stop();
  const r = {
    mode,
    records: got,
    seconds: round(ms / 1000, 1),
    recordsPerSecond: round(got / (ms / 1000), 0),
    /** From the first record delivered: the rate without start-up (consumer, leases, subscriptions). */
    recordsPerSecondAfterFirst: round(got / ((end - first) / 1000), 0),
    cpuMicrosPerRecord: round((cpu.user + cpu.system) / got, 1),
    batches: batches.length,
    medianBatch: pct(batches, 50),
    maxBatch: Math.max(...batches),
  };
  log(`drain ${JSON.stringify(r)}`);
  return r;
}

try {
  const steadyResults = [];
  for (const m of modes) steadyResults.push(await steady(m));
  const drainResults = [];
  if (drainRecords > 0 && drainModes.length > 0) {
    const stream = await load();
    for (const m of drainModes) drainResults.push(await drain(m, stream));
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
