// Scenario "metrics-cost" (issue 17): the CPU a consumer spends per record with --metrics-port vs
// without, in the same run, many pairs. By default the two consumers of a pair drain the same
// pre-loaded stream side by side (each with its own application), so whatever else loads the machine
// loads both alike; --sequential drains them one after the other (order alternating). CPU is
// utime+stime of each consumer process from /proc. Headline: the steady drain (from 10 % of the
// records delivered to the last), which leaves out start-up; the whole process is reported too.
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

/** One consumer draining the pre-loaded stream: CPU read at the 10 % mark and at the last record. */
class DrainWatch {
  private readonly tracker: DeliveryTracker;
  private mark: { cpu: number; unique: number } | undefined;
  private cpu = Number.NaN;
  done = false;

  constructor(
    readonly proc: BenchProcess,
    dir: string,
    private readonly records: number,
  ) {
    this.tracker = new DeliveryTracker(dir);
  }

  /** One poll; true once every record has arrived (CPU then frozen at that poll). */
  step(): boolean {
    if (this.done) return true;
    this.tracker.poll();
    const sample = this.proc.sample();
    if (sample) this.cpu = sample.cpuSeconds;
    const { unique } = this.tracker;
    if (!this.mark && unique >= this.records * STEADY_FROM) this.mark = { cpu: this.cpu, unique };
    if (unique >= this.records) this.done = true;
    else if (!this.proc.isRunning())
      throw new Error(`${this.proc.name} exited early:\n${this.proc.stderrTail()}`);
    return this.done;
  }

  result(): Omit<Drain, "scrapes"> {
    const { records, tracker, mark, cpu, proc } = this;
    const p = tracker.process(proc.pid);
    const elapsedMs = (p.lastBatchAt ?? Date.now()) - proc.startedAt;
    return {
      steadyCpuPer100k: ((cpu - mark!.cpu) * 100_000) / (tracker.unique - mark!.unique),
      totalCpuPer100k: (cpu * 100_000) / records,
      recordsPerSecond: Math.round((records * 1000) / elapsedMs),
      missing: records - tracker.unique,
    };
  }
}

/** Polls every watch until all are done (or the deadline passes). */
async function drainAll(watches: DrainWatch[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (watches.map((w) => w.step()).every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`drain not done within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

export const metricsCost: Scenario = {
  name: "metrics-cost",
  describe:
    "CPU per record of consume with --metrics-port ÷ without: pairs drained side by side (--sequential: one after the other), scraped every --scrape-seconds (default 15)",
  async run(ctx) {
    const records = ctx.options.records ?? 200_000;
    const scrapeMs = (ctx.options.scrapeSeconds ?? 15) * 1000;
    const sideBySide = !ctx.options.sequential;
    const timeoutMs = ctx.options.drainTimeoutMs ?? 60_000 + records;
    const pairs: { run: number; order: string; off: Drain; on: Drain; steady: number; total: number }[] = [];
    await withPreloadedStream({ ...ctx, stream: STREAM, shards: 4, records }, async (emu) => {
      const start = (run: number, metrics: boolean) => {
        const name = `kcl-${metrics ? "on" : "off"}-${run}`;
        return { name, deliveriesDir: join(ctx.dir, name) };
      };
      /** Spawns the consumers (in this order), drains them together, stops them. */
      const measure = async (run: number, which: boolean[]): Promise<Drain[]> => {
        const started: { proc: BenchProcess; watch: DrainWatch; scraper?: Scraper }[] = [];
        try {
          for (const metrics of which) {
            const { name, deliveriesDir } = start(run, metrics);
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
            const scraper = metrics
              ? startScraper(`http://127.0.0.1:${port}/metrics`, scrapeMs, Math.random() * scrapeMs)
              : undefined;
            started.push({ proc, watch: new DrainWatch(proc, deliveriesDir, records), scraper });
          }
          await drainAll(
            started.map((s) => s.watch),
            timeoutMs,
          );
          return started.map((s) => ({ ...s.watch.result(), scrapes: s.scraper?.stop().scrapes ?? 0 }));
        } finally {
          for (const s of started) s.scraper?.stop();
          await Promise.all(started.map((s) => s.proc.stop("SIGTERM", 30_000)));
        }
      };
      for (let run = 1; run <= ctx.runs; run++) {
        // Alternate which goes first, so drift, warm caches and emulator state favour neither.
        const onFirst = run % 2 === 0;
        let first: Drain;
        let second: Drain;
        if (sideBySide) [first, second] = (await measure(run, [onFirst, !onFirst])) as [Drain, Drain];
        else {
          [first] = (await measure(run, [onFirst])) as [Drain];
          [second] = (await measure(run, [!onFirst])) as [Drain];
        }
        const [on, off] = onFirst ? [first, second] : [second, first];
        const steady = on.steadyCpuPer100k / off.steadyCpuPer100k;
        const total = on.totalCpuPer100k / off.totalCpuPer100k;
        pairs.push({ run, order: onFirst ? "on,off" : "off,on", off, on, steady, total });
        ctx.log(
          `pair ${run} (${onFirst ? "on" : "off"} started first${sideBySide ? ", side by side" : ""}): steady CPU s/100k off ${off.steadyCpuPer100k.toFixed(3)} on ${on.steadyCpuPer100k.toFixed(3)} (×${steady.toFixed(3)}); ` +
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
        `records: ${records} × 100 B on 4 shards; ${pairs.length} pairs ${sideBySide ? "drained side by side (both at once)" : "drained one after the other"}, order alternating; scrape every ${scrapeMs / 1000} s (median ${medians.scrapes} scrapes per run)`,
        `steady drain (10 %→100 % of records): CPU s per 100k, median off ${medians.offSteadyCpuPer100k}, on ${medians.onSteadyCpuPer100k}`,
        `  on ÷ off, median of per-pair ratios: ${medians.steadyRatio} (95 % bootstrap interval ${medians.steadyRatioLow}–${medians.steadyRatioHigh}; pairs ${spread(steady)})`,
        `whole process (spawn → last record): on ÷ off ${medians.totalRatio} (95 % ${medians.totalRatioLow}–${medians.totalRatioHigh}; pairs ${spread(total)})`,
        `records/s on ÷ off (wall time, noisier): ${medians.recordsPerSecondRatio}; missing: ${missing}`,
      ],
    };
  },
};
