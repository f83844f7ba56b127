// Scenario "rebalance": 1 worker owns all 8 shards under a live producer, a 2nd worker starts; how
// long until each owns 4 (and is processing them), with default settings; duplicates reported.
import { join } from "node:path";
import { createStream, kinesisClient } from "../harness/aws.ts";
import { startKcl } from "../harness/consumers.ts";
import { DeliveryTracker } from "../harness/deliveries.ts";
import { startEmulatorServer } from "../harness/emulator.ts";
import { waitForAll, waitForOwnership } from "../harness/fleet.ts";
import { startProducer } from "../harness/producer.ts";
import { sleep } from "../harness/time.ts";
import { medians } from "../stats.ts";
import { type RunContext, type Scenario, target } from "./types.ts";

const SHARDS = 8;
const RATE = 200;

interface RebalanceRun {
  run: number;
  /** Second worker's spawn → 4/4, both processing. */
  balancedMs: number;
  /** Second worker's spawn → its first record. */
  secondFirstRecordMs: number | null;
  /** Leases the first worker handed over (shutdownRequested) or lost after the second started. */
  leasesMoved: number;
  stableAfter5s: boolean;
  produced: number;
  missing: number;
  /** Extra deliveries since the 2nd worker started (leases moved while records flowed). */
  duplicates: number;
  exitCodes: (number | null)[];
}

async function oneRun(ctx: RunContext, run: number): Promise<RebalanceRun> {
  const runDir = join(ctx.dir, `run-${run}`);
  const emu = await startEmulatorServer(runDir);
  const kinesis = kinesisClient(emu);
  const stream = `bench-rb-${run}`;
  const deliveriesDir = join(runDir, "deliveries");
  const tracker = new DeliveryTracker(deliveriesDir);
  try {
    await createStream(kinesis, stream, SHARDS);
    const producer = startProducer(kinesis, stream, RATE);
    const common = { emu, stream, app: `bench-rb-${run}`, deliveriesDir, logDir: runDir };
    const a = startKcl({ ...common, name: "worker-a" });
    await waitForOwnership(tracker, [a], [SHARDS], 120_000, 0);
    await sleep(2000);
    const b = startKcl({ ...common, name: "worker-b" });
    const balancedAt = await waitForOwnership(
      tracker,
      [a, b],
      [SHARDS / 2, SHARDS / 2],
      120_000,
      b.startedAt,
    );
    await sleep(5000);
    tracker.poll();
    const stable = [a, b].every((p) => tracker.process(p.pid).owned.size === SHARDS / 2);
    await producer.stop();
    const expected = producer.expected();
    const missing = await waitForAll(tracker, expected, 60_000);
    const exits = await Promise.all([a.stop("SIGTERM", 40_000), b.stop("SIGTERM", 40_000)]);
    const first = tracker.process(b.pid).firstBatchAt;
    const result: RebalanceRun = {
      run,
      balancedMs: balancedAt - b.startedAt,
      secondFirstRecordMs: first === undefined ? null : first - b.startedAt,
      leasesMoved: tracker
        .process(a.pid)
        .frames.filter(
          (f) => (f.kind === "leaseLost" || f.kind === "shutdownRequested") && f.at >= b.startedAt,
        ).length,
      stableAfter5s: stable,
      produced: expected.length,
      missing: missing.count,
      duplicates: tracker.duplicates(b.startedAt),
      exitCodes: exits.map((e) => (e.forced ? null : e.code)),
    };
    ctx.log(
      `run ${run}: 4/4 after ${result.balancedMs} ms; missing ${result.missing} of ${result.produced}, ` +
        `duplicates ${result.duplicates}`,
    );
    return result;
  } finally {
    kinesis.destroy();
    await emu.stop();
  }
}

export const rebalance: Scenario = {
  name: "rebalance",
  describe: `1 worker owns ${SHARDS} shards (${RATE} records/s), a 2nd starts: time to 4/4 with default settings`,
  async run(ctx) {
    const runs: RebalanceRun[] = [];
    for (let run = 1; run <= ctx.runs; run++) runs.push(await oneRun(ctx, run));
    const m = medians(runs, ["balancedMs", "secondFirstRecordMs", "leasesMoved", "duplicates", "produced"]);
    const missing = runs.reduce((sum, r) => sum + r.missing, 0);
    return {
      scenario: "rebalance",
      medians: m,
      targets: [
        target("2nd worker start → 4/4", m.balancedMs, "<=", 20_000, " ms"),
        // Planned moves are graceful handoffs: not one record twice in any run.
        target("duplicates (worst run)", Math.max(...runs.map((r) => r.duplicates)), "<=", 0, ""),
      ],
      missing,
      perRun: runs as unknown as Record<string, unknown>[],
      notes: [],
      summary: [
        `${SHARDS} shards, ${RATE} records/s, default settings; runs: ${runs.length} (median)`,
        `2nd worker start → each worker owns and processes 4: ${m.balancedMs} ms (per run: ${runs.map((r) => r.balancedMs).join(", ")})`,
        `2nd worker's first record after ${m.secondFirstRecordMs} ms; leases handed over by the 1st worker: ${m.leasesMoved}`,
        `stable 5 s later: ${runs.map((r) => r.stableAfter5s).join(", ")}; exit codes: ${runs.map((r) => r.exitCodes.join("/")).join(", ")}`,
        `missing: ${missing}; duplicates per run: ${runs.map((r) => r.duplicates).join(", ")} of ~${m.produced} records`,
      ],
    };
  },
};
