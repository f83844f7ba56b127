// Scenario "metrics-cost" (issue 17): the CPU a consumer spends per record with --metrics-port vs
// without, in the same run, interleaved (order alternating per pair), many pairs. CPU is utime+stime
// of the consumer process from /proc, which a busy neighbour slows but does not inflate the way it
// stretches wall time. Headline: the steady drain (from 10 % of the records delivered to the last),
// which leaves out start-up; the whole process from spawn is reported too.
import { join } from "node:path";
import { startKcl } from "../harness/consumers.ts";
import { DeliveryTracker } from "../harness/deliveries.ts";
import { withPreloadedStream } from "../harness/load.ts";
import type { BenchProcess } from "../harness/processes.ts";
import { freePort, type Scraper, startScraper } from "../harness/scraper.ts";
import { sleep } from "../harness/time.ts";
import { bootstrapMedian, median, round } from "../stats.ts";
import { type Scenario, target } from "./types.ts";

const STREAM = "bench-metrics-cost";
/** The steady window starts once this share of the records has been delivered. */
const STEADY_FROM = 0.1;
const POLL_MS = 20;

interface Drain {
  /** CPU seconds per 100k records between STEADY_FROM and the last record. */
  steadyCpuPer100k: number;
  /** CPU seconds per 100k records from spawn to the last record (start-up included). */
  totalCpuPer100k: number;
  recordsPerSecond: number;
  missing: number;
  scrapes: number;
}

/** Drains the pre-loaded stream once; CPU read at the 10 % mark and at the last record. */
async function drainOnce(proc: BenchProcess, dir: string, records: number, timeoutMs: number) {
  const tracker = new DeliveryTracker(dir);
  const deadline = Date.now() + timeoutMs;
  let mark: { cpu: number; unique: number } | undefined;
  let cpu = Number.NaN;
  for (;;) {
    tracker.poll();
    const sample = proc.sample();
    if (sample) cpu = sample.cpuSeconds;
    if (!mark && tracker.unique >= records * STEADY_FROM) mark = { cpu, unique: tracker.unique };
    if (tracker.unique >= records) break;
    if (!proc.isRunning()) throw new Error(`${proc.name} exited early:\n${proc.stderrTail()}`);
    if (Date.now() > deadline) throw new Error(`${proc.name}: ${tracker.unique} of ${records} in time`);
    await sleep(POLL_MS);
  }
  const p = tracker.process(proc.pid);
  const elapsedMs = (p.lastBatchAt ?? Date.now()) - proc.startedAt;
  const steadyRecords = tracker.unique - mark!.unique;
  return {
    steadyCpuPer100k: ((cpu - mark!.cpu) * 100_000) / steadyRecords,
    totalCpuPer100k: (cpu * 100_000) / records,
    recordsPerSecond: Math.round((records * 1000) / elapsedMs),
    missing: records - tracker.unique,
  };
}

export const metricsCost: Scenario = {
  name: "metrics-cost",
  describe:
    "CPU per record of consume with --metrics-port ÷ without, interleaved pairs, scraped every --scrape-seconds (default 15)",
  async run(ctx) {
    const records = ctx.options.records ?? 200_000;
    const scrapeMs = (ctx.options.scrapeSeconds ?? 15) * 1000;
    const timeoutMs = ctx.options.drainTimeoutMs ?? 60_000 + records;
    const pairs: { run: number; order: string; off: Drain; on: Drain; steady: number; total: number }[] = [];
    await withPreloadedStream({ ...ctx, stream: STREAM, shards: 4, records }, async (emu) => {
      const measure = async (run: number, metrics: boolean): Promise<Drain> => {
        const name = `kcl-${metrics ? "on" : "off"}-${run}`;
        const deliveriesDir = join(ctx.dir, name);
        const port = metrics ? await freePort() : 0;
        const proc = startKcl({
          emu,
          stream: STREAM,
          logDir: ctx.dir,
          name,
          app: `bench-mc-${name}`,
          deliveriesDir,
          args: metrics ? ["--metrics-port", String(port)] : [],
        });
        // Like Prometheus, the first scrape comes at a random point of the first interval.
        let scraper: Scraper | undefined;
        if (metrics)
          scraper = startScraper(`http://127.0.0.1:${port}/metrics`, scrapeMs, Math.random() * scrapeMs);
        try {
          const result = await drainOnce(proc, deliveriesDir, records, timeoutMs);
          return { ...result, scrapes: scraper?.stop().scrapes ?? 0 };
        } finally {
          scraper?.stop();
          await proc.stop("SIGTERM", 30_000);
        }
      };
      for (let run = 1; run <= ctx.runs; run++) {
        // Alternate which goes first, so drift, warm caches and emulator state favour neither.
        const onFirst = run % 2 === 0;
        const first = await measure(run, onFirst);
        const second = await measure(run, !onFirst);
        const [on, off] = onFirst ? [first, second] : [second, first];
        const steady = on.steadyCpuPer100k / off.steadyCpuPer100k;
        const total = on.totalCpuPer100k / off.totalCpuPer100k;
        pairs.push({ run, order: onFirst ? "on,off" : "off,on", off, on, steady, total });
        ctx.log(
          `pair ${run} (${onFirst ? "on first" : "off first"}): steady CPU s/100k off ${off.steadyCpuPer100k.toFixed(3)} on ${on.steadyCpuPer100k.toFixed(3)} (×${steady.toFixed(3)}); ` +
            `whole process ×${total.toFixed(3)}; ${on.scrapes} scrapes; records/s off ${off.recordsPerSecond} on ${on.recordsPerSecond}`,
        );
      }
    });
    const steady = pairs.map((p) => p.steady);
    const total = pairs.map((p) => p.total);
    const ci = bootstrapMedian(steady);
    const ciTotal = bootstrapMedian(total);
    const missing = pairs.reduce((n, p) => n + p.off.missing + p.on.missing, 0);
    const m = (xs: number[]) => round(median(xs), 4);
    const spread = (xs: number[]) => `${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}`;
    const medians = {
      records,
      scrapeSeconds: scrapeMs / 1000,
      steadyRatio: m(steady),
      steadyRatioLow: round(ci.low, 4),
      steadyRatioHigh: round(ci.high, 4),
      totalRatio: m(total),
      totalRatioLow: round(ciTotal.low, 4),
      totalRatioHigh: round(ciTotal.high, 4),
      offSteadyCpuPer100k: m(pairs.map((p) => p.off.steadyCpuPer100k)),
      onSteadyCpuPer100k: m(pairs.map((p) => p.on.steadyCpuPer100k)),
      offTotalCpuPer100k: m(pairs.map((p) => p.off.totalCpuPer100k)),
      onTotalCpuPer100k: m(pairs.map((p) => p.on.totalCpuPer100k)),
      recordsPerSecondRatio: m(pairs.map((p) => p.on.recordsPerSecond / p.off.recordsPerSecond)),
      scrapes: m(pairs.map((p) => p.on.scrapes)),
    };
    return {
      scenario: "metrics-cost",
      medians,
      targets: [
        target("steady CPU per record with --metrics-port ÷ without", medians.steadyRatio, "<=", 1.02, "×"),
      ],
      missing,
      perRun: pairs as unknown as Record<string, unknown>[],
      notes: [],
      summary: [
        `records: ${records} × 100 B on 4 shards; ${pairs.length} pairs, order alternating; scrape every ${scrapeMs / 1000} s (median ${medians.scrapes} scrapes per run)`,
        `steady drain (10 %→100 % of records): CPU s per 100k, median off ${medians.offSteadyCpuPer100k}, on ${medians.onSteadyCpuPer100k}`,
        `  on ÷ off, median of per-pair ratios: ${medians.steadyRatio} (95 % bootstrap interval ${medians.steadyRatioLow}–${medians.steadyRatioHigh}; pairs ${spread(steady)})`,
        `whole process (spawn → last record): on ÷ off ${medians.totalRatio} (95 % ${medians.totalRatioLow}–${medians.totalRatioHigh}; pairs ${spread(total)})`,
        `records/s on ÷ off (wall time, noisier): ${medians.recordsPerSecondRatio}; missing: ${missing}`,
      ],
    };
  },
};
