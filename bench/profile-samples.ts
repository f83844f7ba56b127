#!/usr/bin/env bun
// `bun bench/profile-samples.ts <file.cpuprofile> [pattern...]`: where a consumer's CPU goes, by sample
// COUNT (each sample is one interval of the thread running JS; bun's markdown weighs samples by time
// since the previous one, which lumps idle time into whatever ran next). Prints the share of samples
// whose stack passes through each pattern (a path or function substring), and the top self frames.
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const [file, ...patterns] = process.argv.slice(2);
if (!file) {
  process.stderr.write("usage: bun bench/profile-samples.ts <file.cpuprofile> [pattern...]\n");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: Node) =>
  `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url}:${n.callFrame.lineNumber}`;
const idle = (n: Node) => /^\((idle|program|garbage collector|root)\)$/.test(n.callFrame.functionName);

let running = 0;
const self = new Map<string, number>();
const through = new Map<string, number>(patterns.map((p) => [p, 0]));
for (const id of profile.samples) {
  const leaf = byId.get(id)!;
  if (idle(leaf)) continue;
  running += 1;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + 1);
  const stack: string[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
    stack.push(label(byId.get(at)!));
  for (const p of patterns) if (stack.some((frame) => frame.includes(p))) through.set(p, through.get(p)! + 1);
}
const pct = (n: number) => `${((100 * n) / running).toFixed(2)} %`;
process.stdout.write(`${profile.samples.length} samples, ${running} running JS\n`);
for (const [p, n] of through) process.stdout.write(`  through ${p}: ${n} (${pct(n)})\n`);
process.stdout.write("top self:\n");
for (const [l, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
  process.stdout.write(`  ${String(n).padStart(6)} ${pct(n).padStart(8)}  ${l}\n`);
