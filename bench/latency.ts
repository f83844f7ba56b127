// Latency of polling vs enhanced fan-out on one kinesis-mock: a steady producer (default 200 records/s
// on 4 shards) and one in-process worker per mode; latency = processRecords time − the record's
// ApproximateArrivalTimestamp (same host clock). Also a drain of N pre-loaded records per mode.
// Run: bun bench/latency.ts [--seconds 30] [--rate 200] [--drain 20000]. Not part of `npm run bench`
// (kinesis-mock boots in ~5 s and is slow to load); numbers go to the README by hand.
import { parseArgs } from "node:util";
import { createWorker } from "../src/coordinator/worker.ts";
import type { RetrievalMode } from "../src/config/options.ts";
import { createStream, putRecords, startTestAws, TEST_CREDENTIALS, uniqueName } from "../test/support/aws.ts";
import { startKinesisMock } from "../test/support/kinesis-mock.ts";
import { median, round } from "./stats.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" },
    rate: { type: "string", default: "200" },
    drain: { type: "string", default: "20000" },
  },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const drainRecords = Number(values.drain);

const dynamo = await startTestAws();
const mock = await startKinesisMock();
const fanOut = mock.fanOut();

function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function worker(mode: RetrievalMode, stream: string, onRecords: (arrivals: Date[]) => void) {
  return createWorker(
    {
      app: uniqueName(`lat-${mode}`),
      stream,
      region: "us-east-1",
      kinesisEndpoint: mock.endpoint,
      dynamodbEndpoint: dynamo.dynamodbEndpoint,
      credentials: TEST_CREDENTIALS,
      initialPosition: "TRIM_HORIZON",
      retrieval: mode,
      processor: {
        processRecords: ({ records }) => onRecords(records.map((r) => r.approximateArrivalTimestamp)),
      },
    },
    mode === "efo" ? { fanOut: fanOut.port } : {},
  );
}

const log = (m: string) => process.stderr.write(`[latency ${new Date().toISOString()}] ${m}\n`);

async function steady(mode: RetrievalMode) {
  log(`steady ${mode}: start`);
  const stream = uniqueName(`lat-${mode}`);
  await createStream(mock.kinesis, stream, 4);
  const latencies: number[] = [];
  let measuring = false;
  const w = worker(mode, stream, (arrivals) => {
    const now = Date.now();
    if (measuring) for (const a of arrivals) latencies.push(now - a.getTime());
  });
  await w.start();
  const perTick = Math.max(1, Math.round(rate / 10));
  const warmupMs = 5000;
  const started = performance.now();
  let i = 0;
  while (performance.now() - started < warmupMs + seconds * 1000) {
    measuring = performance.now() - started >= warmupMs;
    const tick = performance.now();
    await putRecords(
      mock.kinesis,
      stream,
      Array.from({ length: perTick }, () => ({ partitionKey: `k${i++}`, data: "x".repeat(100) })),
    );
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - tick))));
  }
  await new Promise((r) => setTimeout(r, 3000));
  await w.stop();
  log(`steady ${mode}: ${latencies.length} records measured`);
  return {
    mode,
    records: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    median: round(median(latencies)),
  };
}

async function drain(mode: RetrievalMode) {
  log(`drain ${mode}: loading ${drainRecords} records`);
  const stream = uniqueName(`drain-${mode}`);
  await createStream(mock.kinesis, stream, 4);
  for (let i = 0; i < drainRecords; i += 500) {
    await putRecords(
      mock.kinesis,
      stream,
      Array.from({ length: Math.min(500, drainRecords - i) }, (_, j) => ({
        partitionKey: `k${i + j}`,
        data: "x".repeat(100),
      })),
    );
  }
  let got = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const w = worker(mode, stream, (arrivals) => {
    got += arrivals.length;
    if (got >= drainRecords) done();
  });
  log(`drain ${mode}: loaded; consuming`);
  const t0 = performance.now();
  await w.start();
  await Promise.race([all, new Promise((r) => setTimeout(r, 300_000))]);
  const ms = performance.now() - t0;
  await w.stop();
  return { mode, records: got, seconds: round(ms / 1000), recordsPerSecond: round(got / (ms / 1000), 0) };
}

try {
  const results = {
    steady: [await steady("polling"), await steady("efo")],
    drain: drainRecords > 0 ? [await drain("polling"), await drain("efo")] : [],
  };
  const [p, e] = results.steady;
  const [dp, de] = results.drain;
  console.log(`steady ${rate} records/s on 4 shards for ${seconds} s (after 5 s warm-up), kinesis-mock:`);
  console.log(`  polling: p50 ${p!.p50} ms, p99 ${p!.p99} ms (${p!.records} records)`);
  console.log(`  efo:     p50 ${e!.p50} ms, p99 ${e!.p99} ms (${e!.records} records)`);
  if (dp && de) {
    console.log(
      `drain of ${drainRecords}: polling ${dp.recordsPerSecond} records/s, efo ${de.recordsPerSecond} records/s`,
    );
  }
  console.log(
    JSON.stringify({ scenario: "latency", date: new Date().toISOString(), rate, seconds, ...results }),
  );
} finally {
  fanOut.destroy();
  await mock.stop();
  await dynamo.stop();
}
