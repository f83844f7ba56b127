#!/usr/bin/env bun
// `bun bench/metrics-overhead.ts`: the CPU cost of --metrics-port inside one process, where a loaded
// machine cannot drown it: engine events of a polling worker (records-fetched + records-processed per
// batch) emitted through the EventBus with and without the metrics collector subscribed (A/B
// interleaved, median of 7), and the cost of one scrape. Prints one summary and one JSON line.
import { cpus } from "node:os";
import { MetricsCollector } from "../cli/metrics/collector.ts";
import { EventBus } from "../src/core/events.ts";

const BATCHES = 200_000;
const REPEATS = 7;

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function busWith(collector: boolean, shards: number) {
  let now = 1_800_000_000_000;
  const bus = new EventBus("bench", () => now);
  // What every consume run has anyway: the --output json summary listener stand-in.
  let sink = 0;
  bus.onAny((e) => {
    if (e.type === "records-processed") sink += e.count;
  });
  const c = collector
    ? new MetricsCollector({
        events: bus,
        workerId: "bench",
        app: "bench",
        stream: "bench",
        table: "bench",
        failoverMs: 10_000,
        now: () => now,
      })
    : undefined;
  bus.emit({ type: "worker-started", app: "bench", stream: "bench", table: "bench" });
  for (let i = 0; i < shards; i++)
    bus.emit({ type: "lease-acquired", leaseKey: `shardId-${i}`, leaseCounter: 1, how: "unowned" });
  const tick = (ms: number) => {
    now += ms;
  };
  return { bus, c, tick, sink: () => sink };
}

/** µs of CPU per batch: one records-fetched and one records-processed event, a renewal every 100. */
function perBatch(collector: boolean): number {
  const { bus, tick } = busWith(collector, 4);
  const started = cpuMicros();
  for (let i = 0; i < BATCHES; i++) {
    const shardId = `shardId-${i % 4}`;
    tick(1);
    bus.emit({ type: "records-fetched", shardId, records: 100, durationMs: 3, millisBehindLatest: 1000 });
    bus.emit({
      type: "records-processed",
      shardId,
      count: 100,
      bytes: 10_000,
      millisBehindLatest: 1000,
      durationMs: 2,
    });
    if (i % 100 === 0) bus.emit({ type: "lease-renewed", leaseKey: shardId, leaseCounter: i });
  }
  return (cpuMicros() - started) / BATCHES;
}

async function scrapeMs(shards: number): Promise<number> {
  const { c, bus } = busWith(true, shards);
  for (let i = 0; i < shards; i++)
    bus.emit({ type: "records-processed", shardId: `shardId-${i}`, count: 1, bytes: 1, durationMs: 1 });
  await c!.metrics();
  const started = cpuMicros();
  const n = 200;
  for (let i = 0; i < n; i++) await c!.metrics();
  return (cpuMicros() - started) / n / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

perBatch(false);
perBatch(true); // warm-up
const off: number[] = [];
const on: number[] = [];
for (let r = 0; r < REPEATS; r++) {
  off.push(perBatch(false));
  on.push(perBatch(true));
}
const baseUs = median(off);
const withUs = median(on);
const extraUs = Math.max(0, withUs - baseUs);
const scrape4 = await scrapeMs(4);
const scrape100 = await scrapeMs(100);
const result = {
  scenario: "metrics-overhead",
  machine: `${cpus().length} cores`,
  batches: BATCHES,
  eventsPerBatchMicrosWithout: Number(baseUs.toFixed(3)),
  eventsPerBatchMicrosWith: Number(withUs.toFixed(3)),
  extraMicrosPerBatch: Number(extraUs.toFixed(3)),
  scrapeMs4Shards: Number(scrape4.toFixed(3)),
  scrapeMs100Shards: Number(scrape100.toFixed(3)),
};
process.stdout.write(
  [
    "== metrics overhead (in-process, CPU time, median of 7 interleaved A/B runs)",
    `  engine events per batch (records-fetched + records-processed): ${baseUs.toFixed(2)} µs without metrics, ${withUs.toFixed(2)} µs with: +${extraUs.toFixed(2)} µs per batch`,
    `  one scrape: ${scrape4.toFixed(2)} ms CPU with 4 shards held, ${scrape100.toFixed(2)} ms with 100`,
    "",
  ].join("\n"),
);
process.stdout.write(`${JSON.stringify(result)}\n`);
