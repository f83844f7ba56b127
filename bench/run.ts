#!/usr/bin/env bun
// `npm run bench [scenario...]`: runs benchmark scenarios against emulators in a child process,
// prints a readable summary and one JSON line per scenario, and keeps the results in
// .bench-out/results/ (what the README's benchmark table is written from).
//   bun bench/run.ts [throughput|failover|handoff|rebalance|rolling-deploy|scale|startup|dashboard|all] [--runs 3]
//                    [--records 200000] [--shards 100,500] [--window-seconds 60] [--out .bench-out]
//                    [--metrics] (throughput: also measure consume with --metrics-port, scraped every second)
//                    [--scrape-seconds 15] [--sequential] (metrics-cost: scrape period; pairs one after the other)
//                    [--work json|none] [--poll-interval-ms 200] (throughput: per-record work and pacing,
//                    the same in kcl-ts and the raw loop)
// Exit code: 0 every target met; 1 a target missed; 2 usage; 3 records missing or the harness failed.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { killAll, REPO } from "./harness/processes.ts";
import { SCENARIOS } from "./scenarios/index.ts";
import type { ScenarioOptions, ScenarioResult } from "./scenarios/types.ts";

const USAGE = `usage: bun bench/run.ts [${Object.keys(SCENARIOS).join("|")}|all] [--runs N] [--records N] [--shards 100,500] [--window-seconds N] [--metrics] [--scrape-seconds N] [--sequential] [--work json|none] [--poll-interval-ms N] [--out DIR]`;

export const MACHINE = `node (${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB)`;
/** Hard bound on one scenario, whatever happens inside it. */
const SCENARIO_TIMEOUT_MS = 40 * 60_000;

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        runs: { type: "string", default: "3" },
        records: { type: "string" },
        shards: { type: "string" },
        "window-seconds": { type: "string" },
        "drain-timeout-ms": { type: "string" },
        metrics: { type: "boolean" },
        "scrape-seconds": { type: "string" },
        sequential: { type: "boolean" },
        work: { type: "string" },
        "poll-interval-ms": { type: "string" },
        out: { type: "string", default: join(REPO, ".bench-out") },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

function commandLine(name: string, options: ScenarioOptions, runs: number): string {
  const flags = [
    runs !== 3 ? `--runs ${runs}` : "",
    options.records ? `--records ${options.records}` : "",
    options.shards ? `--shards ${options.shards.join(",")}` : "",
    options.windowSeconds ? `--window-seconds ${options.windowSeconds}` : "",
    options.metrics ? "--metrics" : "",
    options.scrapeSeconds ? `--scrape-seconds ${options.scrapeSeconds}` : "",
    options.sequential ? "--sequential" : "",
    options.work ? `--work ${options.work}` : "",
    options.pollIntervalMs !== undefined ? `--poll-interval-ms ${options.pollIntervalMs}` : "",
  ].filter(Boolean);
  return ["npm run bench", name, ...(flags.length ? ["--", ...flags] : [])].join(" ");
}

async function main(): Promise<number> {
  const { values, positionals } = parse();
  if (values.help) {
    process.stdout.write(
      `${USAGE}\n${Object.values(SCENARIOS)
        .map((s) => `  ${s.name.padEnd(14)} ${s.describe}`)
        .join("\n")}\n`,
    );
    return 0;
  }
  const names =
    positionals.length === 0 || positionals.includes("all") ? Object.keys(SCENARIOS) : positionals;
  const unknown = names.filter((n) => !(n in SCENARIOS));
  const runs = Number(values.runs);
  const work = values.work;
  const poll = values["poll-interval-ms"];
  if ((work && work !== "json" && work !== "none") || (poll && !(Number(poll) >= 0))) {
    process.stderr.write(`bad --work or --poll-interval-ms\n${USAGE}\n`);
    return 2;
  }
  if (unknown.length > 0 || !Number.isInteger(runs) || runs < 1) {
    process.stderr.write(
      `${unknown.length ? `unknown scenario: ${unknown.join(", ")}\n` : "bad --runs\n"}${USAGE}\n`,
    );
    return 2;
  }
  const options: ScenarioOptions = {
    ...(values.records ? { records: Number(values.records) } : {}),
    ...(values.shards ? { shards: values.shards.split(",").map(Number) } : {}),
    ...(values["window-seconds"] ? { windowSeconds: Number(values["window-seconds"]) } : {}),
    ...(values["drain-timeout-ms"] ? { drainTimeoutMs: Number(values["drain-timeout-ms"]) } : {}),
    ...(values.metrics ? { metrics: true } : {}),
    ...(values["scrape-seconds"] ? { scrapeSeconds: Number(values["scrape-seconds"]) } : {}),
    ...(values.sequential ? { sequential: true } : {}),
    ...(values.work ? { work: values.work as "none" | "json" } : {}),
    ...(values["poll-interval-ms"] ? { pollIntervalMs: Number(values["poll-interval-ms"]) } : {}),
  };
  const out = resolve(values.out);
  const resultsDir = join(out, "results");
  mkdirSync(resultsDir, { recursive: true });
  let exitCode = 0;
  for (const name of names) {
    const scenario = SCENARIOS[name]!;
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const dir = join(out, `${name}-${stamp}`);
    mkdirSync(dir, { recursive: true });
    const log = (message: string) => process.stderr.write(`[${name}] ${message}\n`);
    log(`${scenario.describe} — ${runs} run(s); logs in ${dir}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const body = await Promise.race([
        scenario.run({ dir, runs, options, log }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`scenario exceeded ${SCENARIO_TIMEOUT_MS / 60_000} min`)),
            SCENARIO_TIMEOUT_MS,
          );
        }),
      ]);
      const result: ScenarioResult = {
        ...body,
        command: commandLine(name, options, runs),
        date: new Date().toISOString().slice(0, 10),
        machine: MACHINE,
        runs,
      };
      const missed = result.targets.filter((t) => t.met === false);
      process.stdout.write(`\n== ${name} (${result.command})\n`);
      for (const line of result.summary) process.stdout.write(`  ${line}\n`);
      for (const t of result.targets) {
        const verdict = t.met === null ? "PENDING" : t.met ? "met" : "MISSED";
        process.stdout.write(
          `  target: ${t.what} ${t.comparison} ${t.limit}${t.unit}: ${t.value ?? "n/a"}${t.unit} → ${verdict}\n`,
        );
      }
      for (const note of result.notes) process.stdout.write(`  note: ${note}\n`);
      process.stdout.write(`${JSON.stringify(result)}\n`);
      writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
      appendFileSync(join(resultsDir, "history.jsonl"), `${JSON.stringify(result)}\n`);
      if (result.missing > 0) exitCode = 3;
      else if (missed.length > 0 && exitCode === 0) exitCode = 1;
    } catch (error) {
      process.stderr.write(`[${name}] FAILED: ${(error as Error).stack ?? String(error)}\n`);
      process.stdout.write(`${JSON.stringify({ scenario: name, error: String(error) })}\n`);
      exitCode = 3;
    } finally {
      clearTimeout(timer);
      await killAll();
    }
  }
  return exitCode;
}

if (import.meta.main) {
  const stop = () => {
    killAll().finally(() => process.exit(130));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.exitCode = await main();
}
