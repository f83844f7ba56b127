// Scenario "rolling-deploy": 3 workers share 6 shards under a live producer; each is replaced in turn
// the way deploy tools do it (SIGTERM the old process, start its replacement with a new worker id at
// once). Measured: duplicates and missing records, and the longest time any shard went undelivered.
import { join } from "node:path";
import { createStream, kinesisClient } from "../harness/aws.ts";
import { startKcl } from "../harness/consumers.ts";
import { DeliveryTracker } from "../harness/deliveries.ts";
import { startEmulatorServer } from "../harness/emulator.ts";
import { waitForAll, waitForOwnership } from "../harness/fleet.ts";
import type { BenchProcess } from "../harness/processes.ts";
import { startProducer } from "../harness/producer.ts";
import { sleep } from "../harness/time.ts";
import { medians } from "../stats.ts";
import { type RunContext, type Scenario, target } from "./types.ts";

const SHARDS = 6;
const WORKERS = 3;
const RATE = 200;

interface RollRun {
  run: number;
  /** First SIGTERM → the last replacement owns its share and processes it. */
  deployMs: number;
  /** Longest time any shard went without a delivered batch during the deploy. */
  maxGapMs: number;
  produced: number;
  missing: number;
  duplicates: number;
  exitCodes: (number | null)[];
}

/** Longest interval without a batch on any shard between `from` and `to` (wall ms), over all processes. */
function longestGap(tracker: DeliveryTracker, from: number, to: number): number {
  const byShard = new Map<number, number[]>();
  for (const p of tracker.byProcess.values()) {
    for (const f of p.frames) {
      if (f.kind !== "batch" || f.at <= from || f.at >= to) continue;
      byShard.set(f.shard, [...(byShard.get(f.shard) ?? []), f.at]);
    }
  }
  let max = 0;
  for (let shard = 0; shard < SHARDS; shard++) {
    const times = [from, ...(byShard.get(shard) ?? []).sort((a, b) => a - b), to];
    for (let i = 1; i < times.length; i++) max = Math.max(max, times[i]! - times[i - 1]!);
  }
  return max;
}

async function oneRun(ctx: RunContext, run: number): Promise<RollRun> {
  const runDir = join(ctx.dir, `run-${run}`);
  const emu = await startEmulatorServer(runDir);
  const kinesis = kinesisClient(emu);
  const stream = `bench-rd-${run}`;
  const deliveriesDir = join(runDir, "deliveries");
  const tracker = new DeliveryTracker(deliveriesDir);
  try {
    await createStream(kinesis, stream, SHARDS);
    const producer = startProducer(kinesis, stream, RATE);
    const common = { emu, stream, app: `bench-rd-${run}`, deliveriesDir, logDir: runDir };
    let fleet: BenchProcess[] = [];
    for (let i = 0; i < WORKERS; i++) fleet.push(startKcl({ ...common, name: `old-${i}` }));
    const even = Array.from({ length: WORKERS }, () => SHARDS / WORKERS);
    await waitForOwnership(tracker, fleet, even, 120_000, 0);
    await sleep(3000);
    const deployStart = Date.now();
    const exits: (number | null)[] = [];
    for (let i = 0; i < WORKERS; i++) {
      const old = fleet[0]!;
      const stopping = old.stop("SIGTERM", 40_000);
      const next = startKcl({ ...common, name: `new-${i}` });
      const exit = await stopping;
      exits.push(exit.forced ? null : exit.code);
      fleet = [...fleet.slice(1), next];
      await waitForOwnership(tracker, fleet, even, 120_000, next.startedAt);
    }
    const deployEnd = Date.now();
    await sleep(3000);
    tracker.poll();
    await producer.stop();
    const expected = producer.expected();
    const missing = await waitForAll(tracker, expected, 60_000);
    const last = await Promise.all(fleet.map((p) => p.stop("SIGTERM", 40_000)));
    const result: RollRun = {
      run,
      deployMs: deployEnd - deployStart,
      maxGapMs: longestGap(tracker, deployStart, deployEnd),
      produced: expected.length,
      missing: missing.count,
      duplicates: tracker.duplicates(),
      exitCodes: [...exits, ...last.map((e) => (e.forced ? null : e.code))],
    };
    ctx.log(
      `run ${run}: deploy ${result.deployMs} ms, longest shard gap ${result.maxGapMs} ms; ` +
        `missing ${result.missing} of ${result.produced}, duplicates ${result.duplicates}`,
    );
    return result;
  } finally {
    kinesis.destroy();
    await emu.stop();
  }
}

export const rollingDeploy: Scenario = {
  name: "rolling-deploy",
  describe: `${WORKERS} workers on ${SHARDS} shards (${RATE} records/s) replaced one by one with new ids: duplicates, gaps`,
  async run(ctx) {
    const runs: RollRun[] = [];
    for (let run = 1; run <= ctx.runs; run++) runs.push(await oneRun(ctx, run));
    const m = medians(runs, ["deployMs", "maxGapMs", "duplicates", "produced"]);
    const missing = runs.reduce((sum, r) => sum + r.missing, 0);
    return {
      scenario: "rolling-deploy",
      medians: m,
      targets: [
        target("duplicates (worst run)", Math.max(...runs.map((r) => r.duplicates)), "<=", 0, ""),
        target("longest shard gap (median)", m.maxGapMs, "<=", 5000, " ms"),
      ],
      missing,
      perRun: runs as unknown as Record<string, unknown>[],
      notes: [],
      summary: [
        `${SHARDS} shards, ${WORKERS} workers, ${RATE} records/s, default settings; runs: ${runs.length} (median)`,
        `deploy (3 replacements, each balanced and processing): ${m.deployMs} ms (per run: ${runs.map((r) => r.deployMs).join(", ")})`,
        `longest time a shard went undelivered during the deploy: ${m.maxGapMs} ms (per run: ${runs.map((r) => r.maxGapMs).join(", ")})`,
        `exit codes: ${runs.map((r) => r.exitCodes.join("/")).join(", ")}`,
        `missing: ${missing}; duplicates per run: ${runs.map((r) => r.duplicates).join(", ")} of ~${m.produced} records`,
      ],
    };
  },
};
