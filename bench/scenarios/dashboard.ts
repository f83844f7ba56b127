// Scenario "dashboard": does the live dashboard slow processing down? 1 worker, 4 shards, N
// pre-loaded records, consumed twice per run on a pseudo-terminal (120 × 40): once with
// `--output dashboard`, once with `--output lines` (order alternating between runs). Processing
// throughput is records ÷ (last delivery − first delivery), so Ink's extra start-up is reported
// separately instead of being counted as slower processing. Each run also measures, in process, how
// fast the status fold absorbs events and how many frames a flood of them draws (bench/harness/dashboard-micro.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startKcl } from "../harness/consumers.ts";
import {
  type DashboardMicro,
  MAX_FRAMES_PER_SECOND,
  measureDashboardMicro,
} from "../harness/dashboard-micro.ts";
import { type DrainResult, measureDrain } from "../harness/drain.ts";
import type { EmulatorServer } from "../harness/emulator.ts";
import { withPreloadedStream } from "../harness/load.ts";
import { medians, round } from "../stats.ts";
import { type Scenario, target } from "./types.ts";

const STREAM = "bench-dashboard";
const TERMINAL = { cols: 120, rows: 40 };
type Mode = "dashboard" | "lines";

interface ModeResult extends DrainResult {
  /** First → last delivery: processing only, without process start-up. */
  processingRecordsPerSecond: number;
  /** Bytes the consumer wrote to its terminal. */
  screenBytes: number;
  /** Whether the screen shows the dashboard (a silent fallback to lines would void the run). */
  dashboardSeen: boolean;
}

interface DashboardRun {
  run: number;
  order: string;
  dashboard: ModeResult;
  lines: ModeResult;
  ratio: number;
  micro: DashboardMicro;
}

/** The dashboard's own headings; `lines` output never prints them. */
function showsDashboard(screen: string): boolean {
  return screen.includes("My leases") && screen.includes("Events");
}

export const dashboard: Scenario = {
  name: "dashboard",
  describe:
    "1 worker, 4 shards, pre-loaded records (200,000 unless --records) on a terminal: --output dashboard vs --output lines",
  async run(ctx) {
    const records = ctx.options.records ?? 200_000;
    const timeoutMs = ctx.options.drainTimeoutMs ?? 60_000 + records;
    const runs: DashboardRun[] = [];
    const measure = async (emu: EmulatorServer, mode: Mode, run: number): Promise<ModeResult> => {
      const name = `${mode}-${run}`;
      const deliveriesDir = join(ctx.dir, name);
      const proc = startKcl({
        emu,
        stream: STREAM,
        logDir: ctx.dir,
        name,
        app: `bench-dash-${name}`,
        deliveriesDir,
        output: mode,
        pty: TERMINAL,
      });
      let result: DrainResult;
      try {
        result = await measureDrain(proc, deliveriesDir, records, timeoutMs);
      } finally {
        await proc.stop("SIGTERM", 30_000);
      }
      const screen = readFileSync(proc.stdoutFile, "utf8");
      const processingMs = result.elapsedMs - result.firstRecordMs;
      return {
        ...result,
        processingRecordsPerSecond: Math.round((records * 1000) / processingMs),
        screenBytes: screen.length,
        dashboardSeen: showsDashboard(screen),
      };
    };
    await withPreloadedStream({ ...ctx, stream: STREAM, shards: 4, records }, async (emu) => {
      for (let run = 1; run <= ctx.runs; run++) {
        const order: Mode[] = run % 2 === 1 ? ["dashboard", "lines"] : ["lines", "dashboard"];
        const results = {} as Record<Mode, ModeResult>;
        for (const mode of order) results[mode] = await measure(emu, mode, run);
        const ratio =
          round(results.dashboard.processingRecordsPerSecond / results.lines.processingRecordsPerSecond, 3) ??
          Number.NaN;
        const micro = await measureDashboardMicro();
        ctx.log(
          `run ${run}: fold ${micro.foldEventsPerSecond} events/s; flood ${micro.floodEvents} events → ` +
            `${micro.floodFramesPerSecond} frames/s (${micro.floodEventsPerFrame} events per frame)`,
        );
        runs.push({ run, order: order.join(","), ...results, ratio, micro });
        ctx.log(
          `run ${run}: dashboard ${results.dashboard.processingRecordsPerSecond} rec/s, lines ` +
            `${results.lines.processingRecordsPerSecond} rec/s, ratio ${ratio}, dashboard on screen ` +
            `${results.dashboard.dashboardSeen}, missing ${results.dashboard.missing + results.lines.missing}`,
        );
      }
    });
    const flat = runs.map((r) => ({
      ratio: r.ratio,
      dashboardRecordsPerSecond: r.dashboard.processingRecordsPerSecond,
      linesRecordsPerSecond: r.lines.processingRecordsPerSecond,
      dashboardFirstRecordMs: r.dashboard.firstRecordMs,
      linesFirstRecordMs: r.lines.firstRecordMs,
      dashboardCpuSecondsPer100k: r.dashboard.cpuSecondsPer100k,
      linesCpuSecondsPer100k: r.lines.cpuSecondsPer100k,
      dashboardScreenKB: Math.round(r.dashboard.screenBytes / 1024),
      linesScreenKB: Math.round(r.lines.screenBytes / 1024),
      foldEventsPerSecond: r.micro.foldEventsPerSecond,
      floodFramesPerSecond: r.micro.floodFramesPerSecond,
      floodEventsPerFrame: r.micro.floodEventsPerFrame,
    }));
    const m = medians(flat, Object.keys(flat[0] ?? {}) as (keyof (typeof flat)[0])[]);
    const missing = runs.reduce((sum, r) => sum + r.dashboard.missing + r.lines.missing, 0);
    const allDashboards = runs.every((r) => r.dashboard.dashboardSeen && !r.lines.dashboardSeen);
    const valid = missing === 0 && allDashboards;
    return {
      scenario: "dashboard",
      medians: { records, ...m },
      // Counts only when every record arrived and the dashboard really was on screen.
      targets: [
        target("dashboard ÷ lines records/s", valid ? m.ratio : null, ">=", 0.95, "×"),
        // Was a `bun test` bound (200,000 events < 1.5 s). Real load is one event per batch: a few hundred a second.
        target("status fold: records-processed events/s", m.foldEventsPerSecond, ">=", 500_000, ""),
        // 5 frames/s nominal; half a frame of slack for a timer tick at each end of the window.
        target(
          "frames/s under an event flood",
          m.floodFramesPerSecond,
          "<=",
          MAX_FRAMES_PER_SECOND + 0.5,
          "",
        ),
      ],
      missing,
      perRun: runs as unknown as Record<string, unknown>[],
      notes: allDashboards ? [] : ["the dashboard did not appear on the terminal in every run"],
      summary: [
        `records: ${records} × 100 B on 4 shards, terminal ${TERMINAL.cols}×${TERMINAL.rows}; runs: ${runs.length} (median)`,
        `--output dashboard: ${m.dashboardRecordsPerSecond} records/s (first → last delivery), ${m.dashboardCpuSecondsPer100k} CPU s per 100k, first record ${m.dashboardFirstRecordMs} ms after start, ${m.dashboardScreenKB} KB drawn`,
        `--output lines:     ${m.linesRecordsPerSecond} records/s (first → last delivery), ${m.linesCpuSecondsPer100k} CPU s per 100k, first record ${m.linesFirstRecordMs} ms after start, ${m.linesScreenKB} KB drawn`,
        `ratio (dashboard / lines, median of per-run ratios): ${m.ratio} (target ≥ 0.95)`,
        `missing: ${missing}; dashboard on screen in every run: ${allDashboards}`,
        `status fold: ${m.foldEventsPerSecond} records-processed events/s (target ≥ 500,000); event flood: ` +
          `${m.floodFramesPerSecond} frames/s (target ≤ ${MAX_FRAMES_PER_SECOND + 0.5}), ${m.floodEventsPerFrame} events per frame`,
      ],
    };
  },
};
