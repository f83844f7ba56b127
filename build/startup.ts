// Measures start-up of the compiled binary: wall time of `<binary> --version`, median of N runs.
// Usage: bun build/startup.ts [--binary dist/kcl-ts] [--runs 20]
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { DEFAULT_OUTFILE } from "./binary.ts";

export interface StartupTimes {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

export function measureStartup(binary: string, runs: number, cwd?: string): StartupTimes {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    const result = spawnSync(binary, ["--version"], { cwd, stdio: ["ignore", "ignore", "pipe"] });
    const ms = performance.now() - started;
    if (result.status !== 0) throw new Error(`${binary} --version exited ${result.status}: ${result.stderr}`);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  const medianMs = times[Math.floor((times.length - 1) / 2)]!;
  return { medianMs, minMs: times[0]!, maxMs: times[times.length - 1]!, runs };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { binary: { type: "string" }, runs: { type: "string" } },
    strict: true,
  });
  const binary = values.binary ?? DEFAULT_OUTFILE;
  const t = measureStartup(binary, Number(values.runs ?? 20));
  const f = (ms: number) => ms.toFixed(1);
  console.log(
    `${binary} --version over ${t.runs} runs: median ${f(t.medianMs)} ms (min ${f(t.minMs)}, max ${f(t.maxMs)})`,
  );
}
