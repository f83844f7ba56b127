// Scenarios "failover" (SIGKILL) and "handoff" (SIGTERM): 2 workers share 4 shards under a live
// 200 records/s producer; one is stopped; how long until the survivor processes its shards again,
// and are all records there (duplicates counted: none allowed on a graceful handoff).
import { join } from "node:path";
import { createStream, kinesisClient } from "../harness/aws.ts";
import { startKcl } from "../harness/consumers.ts";
import { DeliveryTracker } from "../harness/deliveries.ts";
import { startEmulatorServer } from "../harness/emulator.ts";
import { waitForAll, waitForOwnership, waitForShardsProcessed } from "../harness/fleet.ts";
import { startProducer } from "../harness/producer.ts";
import { sleep } from "../harness/time.ts";
import { median, medians } from "../stats.ts";
import { type RunContext, type Scenario, target } from "./types.ts";

const FAILOVER_MS = 10_000; // the default, so "failover-ms + 5 s" is 15 s
const RATE = 200;

interface StopRun {
  run: number;
  victimShards: number[];
  /** Signal → the survivor's first batch of each of the victim's shards, slowest shard. */
  takeoverMs: number;
  perShardMs: Record<string, number>;
  /** Signal → victim process exit. */
  victimExitMs: number;
  /** Exit code, or the signal that ended it. */
  victimExit: number | string | null;
  balanceMs: number;
  produced: number;
  missing: number;
  /** Extra deliveries after the signal (what the kill or the handoff caused). */
  duplicates: number;
  /** Including those of the initial balancing (a stolen lease replays since its last checkpoint). */
  duplicatesTotal: number;
  survivorExitCode: number | null;
}

async function oneRun(ctx: RunContext, run: number, signal: "SIGKILL" | "SIGTERM"): Promise<StopRun> {
  const tag = signal === "SIGKILL" ? "fo" : "ho";
  const emu = await startEmulatorServer(join(ctx.dir, `run-${run}`), {});
  const kinesis = kinesisClient(emu);
  const stream = `bench-${tag}-${run}`;
  const deliveriesDir = join(ctx.dir, `run-${run}`, "deliveries");
  const tracker = new DeliveryTracker(deliveriesDir);
  try {
    await createStream(kinesis, stream, 4);
    const producer = startProducer(kinesis, stream, RATE);
    const common = {
      emu,
      stream,
      app: `bench-${tag}-${run}`,
      deliveriesDir,
      logDir: join(ctx.dir, `run-${run}`),
    };
    const a = startKcl({ ...common, name: "worker-a" });
    const b = startKcl({ ...common, name: "worker-b" });
    const balanceStart = Date.now();
    await waitForOwnership(tracker, [a, b], [2, 2], 120_000, 0);
    const balanceMs = Date.now() - balanceStart;
    // A few seconds of steady state, so checkpoints and renewals are in their normal rhythm.
    await sleep(3000);
    const settled = Date.now();
    await waitForOwnership(tracker, [a, b], [2, 2], 10_000, settled - 1000);
    const [victim, survivor] = [a, b];
    const victimShards = [...tracker.poll().process(victim.pid).owned].sort((x, y) => x - y);
    const signalAt = Date.now();
    victim.signal(signal);
    const firsts = await waitForShardsProcessed(tracker, survivor, victimShards, signalAt, 90_000);
    const victimExit = await victim.stop("SIGKILL", 40_000);
    await sleep(2000);
    await producer.stop();
    const expected = producer.expected();
    const missing = await waitForAll(tracker, expected, 60_000);
    const survivorExit = await survivor.stop("SIGTERM", 40_000);
    const perShardMs = Object.fromEntries(victimShards.map((s) => [`shard-${s}`, firsts.get(s)! - signalAt]));
    const result: StopRun = {
      run,
      victimShards,
      takeoverMs: Math.max(...Object.values(perShardMs)),
      perShardMs,
      victimExitMs: victimExit.at - signalAt,
      victimExit: victimExit.forced ? "forced" : (victimExit.code ?? victimExit.signal),
      balanceMs,
      produced: expected.length,
      missing: missing.count,
      duplicates: tracker.duplicates(signalAt),
      duplicatesTotal: tracker.duplicates(),
      survivorExitCode: survivorExit.forced ? null : survivorExit.code,
    };
    ctx.log(
      `run ${run}: victim shards [${victimShards}] processed again after ${result.takeoverMs} ms; ` +
        `missing ${result.missing} of ${result.produced}, duplicates ${result.duplicates}`,
    );
    return result;
  } finally {
    kinesis.destroy();
    await emu.stop();
  }
}

function stopScenario(name: "failover" | "handoff", signal: "SIGKILL" | "SIGTERM"): Scenario {
  const graceful = signal === "SIGTERM";
  return {
    name,
    describe: `2 workers, 4 shards, ${RATE} records/s, ${signal} one worker (failover-ms ${FAILOVER_MS}, the default)`,
    async run(ctx) {
      const runs: StopRun[] = [];
      for (let run = 1; run <= ctx.runs; run++) runs.push(await oneRun(ctx, run, signal));
      const m = medians(runs, ["takeoverMs", "victimExitMs", "balanceMs", "duplicates", "produced"]);
      const missing = runs.reduce((sum, r) => sum + r.missing, 0);
      const worst = Math.max(...runs.map((r) => r.takeoverMs));
      const maxDuplicates = Math.max(...runs.map((r) => r.duplicates));
      const targets = graceful
        ? [
            target("signal → survivor processes the shards", m.takeoverMs, "<=", 3000, " ms"),
            target("duplicates after the signal (worst run)", maxDuplicates, "<=", 0, ""),
          ]
        : [target("kill → survivor processes the shards", m.takeoverMs, "<=", FAILOVER_MS + 5000, " ms")];
      return {
        scenario: name,
        medians: { ...m, worstTakeoverMs: worst, maxDuplicates, failoverMs: FAILOVER_MS },
        targets,
        missing,
        perRun: runs as unknown as Record<string, unknown>[],
        notes: [],
        summary: [
          `2 workers, 4 shards, ${RATE} records/s; ${signal} the worker holding 2 shards; runs: ${runs.length} (median)`,
          `${signal} → survivor processed the victim's shards: median ${m.takeoverMs} ms, worst ${worst} ms ` +
            `(per run: ${runs.map((r) => r.takeoverMs).join(", ")})`,
          `victim exited ${m.victimExitMs} ms after the signal (exit: ${runs.map((r) => r.victimExit).join(", ")})`,
          `missing: ${missing}; duplicates after the signal per run: ${runs.map((r) => r.duplicates).join(", ")} of ~${median(runs.map((r) => r.produced))} records ` +
            `(with those of the initial balancing: ${runs.map((r) => r.duplicatesTotal).join(", ")})`,
          `initial 2/2 balance took ${m.balanceMs} ms (median)`,
        ],
      };
    },
  };
}

export const failover = stopScenario("failover", "SIGKILL");
export const handoff = stopScenario("handoff", "SIGTERM");
