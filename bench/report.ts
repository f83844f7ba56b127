#!/usr/bin/env bun
// Prints the README results table (markdown) from the latest .bench-out/results/<scenario>.json:
//   bun bench/report.ts [--out .bench-out]
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { REPO } from "./harness/processes.ts";
import { SCENARIOS } from "./scenarios/index.ts";
import type { ScenarioResult, Target } from "./scenarios/types.ts";

function verdict(t: Target): string {
  if (t.met === null) return "pending";
  return t.met ? "met" : "**missed**";
}

export function markdownTable(results: readonly ScenarioResult[]): string {
  const rows = [
    "| scenario | target | result (median) | verdict | runs | date | machine | command |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of results) {
    for (const t of r.targets) {
      rows.push(
        `| ${r.scenario} | ${t.what} ${t.comparison} ${t.limit}${t.unit} | ${t.value ?? "n/a"}${t.value === null ? "" : t.unit} | ` +
          `${verdict(t)} | ${r.runs} | ${r.date} | ${r.machine} | \`${r.command}\` |`,
      );
    }
  }
  return rows.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: "string", default: join(REPO, ".bench-out") } } });
  const dir = join(resolve(values.out), "results");
  const results: ScenarioResult[] = [];
  for (const name of Object.keys(SCENARIOS)) {
    const file = join(dir, `${name}.json`);
    if (existsSync(file)) results.push(JSON.parse(readFileSync(file, "utf8")));
  }
  process.stdout.write(`${markdownTable(results)}\n`);
  for (const r of results) {
    process.stdout.write(`\n**${r.scenario}** (\`${r.command}\`)\n`);
    for (const line of r.summary) process.stdout.write(`- ${line}\n`);
    for (const note of r.notes) process.stdout.write(`- note: ${note}\n`);
  }
}
