// What every benchmark scenario is given and returns: one JSON-able result with medians, targets and
// per-run details, plus the readable summary lines printed above its JSON line.
export interface RunContext {
  /** Fresh directory for this scenario's logs, delivery files and per-run data. */
  dir: string;
  /** How many measured runs (the README reports the median of at least 3). */
  runs: number;
  /** Scenario size overrides from the command line (e.g. records for the CI smoke test). */
  options: ScenarioOptions;
  /** Progress on stderr (stdout carries only the summary and the JSON line). */
  log(message: string): void;
}

export interface ScenarioOptions {
  records?: number;
  shards?: number[];
  windowSeconds?: number;
  /** Bound on waiting for a consumer to deliver everything (the CI smoke test keeps it short). */
  drainTimeoutMs?: number;
  /** throughput: also run kcl-ts consume with --metrics-port (scraped every second) in each run. */
  metrics?: boolean;
  /** metrics-cost: the stand-in Prometheus's scrape period in seconds (default 15). */
  scrapeSeconds?: number;
  /** metrics-cost: drain the two consumers of a pair one after the other instead of side by side. */
  sequential?: boolean;
  /** throughput: per-record work in both consumers (default "json": plugins/bench-work.ts). */
  work?: "none" | "json";
  /** throughput: --poll-interval-ms for both consumers (default 200, the engine's default). */
  pollIntervalMs?: number;
}

export interface Target {
  what: string;
  value: number | null;
  comparison: "<=" | ">=";
  limit: number;
  unit: string;
  /** null when the value could not be measured (marked pending, never "met"). */
  met: boolean | null;
}

export interface ScenarioResult {
  scenario: string;
  /** The command that reproduces it. */
  command: string;
  date: string;
  machine: string;
  runs: number;
  /** Median figures (and medians of ratios to the raw loop). */
  medians: Record<string, number | null>;
  targets: Target[];
  /** Delivery check across all runs: nothing may be missing before any speed counts. */
  missing: number;
  perRun: Record<string, unknown>[];
  notes: string[];
  summary: string[];
}

export interface Scenario {
  name: string;
  describe: string;
  run(ctx: RunContext): Promise<Omit<ScenarioResult, "date" | "machine" | "command" | "runs">>;
}

export function target(
  what: string,
  value: number | null | undefined,
  comparison: "<=" | ">=",
  limit: number,
  unit: string,
): Target {
  const v = value === undefined || value === null || Number.isNaN(value) ? null : value;
  const met = v === null ? null : comparison === "<=" ? v <= limit : v >= limit;
  return { what, value: v, comparison, limit, unit, met };
}
