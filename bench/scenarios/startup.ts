// Scenario "startup": the compiled binary's `--version` (spawn → exit) and, on an existing lease
// table (leases released by a graceful stop), spawn → first record processed.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createStream, kinesisClient } from "../harness/aws.ts";
import { BINARY, startKcl } from "../harness/consumers.ts";
import { DeliveryTracker, range } from "../harness/deliveries.ts";
import { startEmulatorServer } from "../harness/emulator.ts";
import { waitForAll } from "../harness/fleet.ts";
import { preload } from "../harness/load.ts";
import { BUN, spawnBench } from "../harness/processes.ts";
import { waitUntil } from "../harness/time.ts";
import { median, round } from "../stats.ts";
import { type RunContext, type Scenario, target } from "./types.ts";

const VERSION_RUNS = 10;
const BATCH = 1000;

async function versionMs(ctx: RunContext, name: string, exe: string, args: string[]): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= VERSION_RUNS; i++) {
    const proc = spawnBench(`${name}-version`, [...args, "--version"], { logDir: ctx.dir, exe });
    const exit = await proc.stop(null, 10_000);
    if (exit.code !== 0)
      throw new Error(`${exe} ${args.join(" ")} --version exited ${exit.code}: ${proc.stderrTail()}`);
    if (i > 0) times.push(exit.at - proc.startedAt); // the first spawn warms the page cache
  }
  return times;
}

/** Spawn → first record on a table whose leases exist and are free; binary or source. */
async function firstRecordMs(ctx: RunContext, binary: boolean): Promise<number[]> {
  const tag = binary ? "bin" : "src";
  const runDir = join(ctx.dir, `first-record-${tag}`);
  const emu = await startEmulatorServer(runDir);
  const kinesis = kinesisClient(emu);
  const stream = `bench-startup-${tag}`;
  const base = { emu, stream, app: `bench-startup-${tag}`, logDir: runDir, binary };
  const times: number[] = [];
  try {
    await createStream(kinesis, stream, 4);
    // Run 0 creates the lease table and the leases, processes the first batch and stops gracefully.
    for (let run = 0; run <= ctx.runs; run++) {
      await preload(kinesis, stream, BATCH, { firstId: run * BATCH });
      const deliveriesDir = join(runDir, `run-${run}`);
      const tracker = new DeliveryTracker(deliveriesDir);
      const proc = startKcl({ ...base, name: `${tag}-${run}`, deliveriesDir });
      const first = await waitUntil(`${proc.name}'s first record`, 60_000, () => {
        if (!proc.isRunning()) throw new Error(`${proc.name} exited:\n${proc.stderrTail()}`);
        return tracker.poll().process(proc.pid).firstBatchAt;
      });
      const missing = await waitForAll(tracker, [...range(run * BATCH, (run + 1) * BATCH)], 60_000);
      const exit = await proc.stop("SIGTERM", 30_000);
      if (missing.count > 0) throw new Error(`${proc.name}: ${missing.count} records missing`);
      if (exit.code !== 0) ctx.log(`${proc.name} exited ${exit.code} after SIGTERM`);
      if (run > 0) times.push(first - proc.startedAt);
    }
    return times;
  } finally {
    kinesis.destroy();
    await emu.stop();
  }
}

export const startup: Scenario = {
  name: "startup",
  describe: "compiled binary: --version, and first record processed on an existing lease table",
  async run(ctx) {
    const notes: string[] = [];
    const haveBinary = existsSync(BINARY);
    if (!haveBinary) notes.push(`${BINARY} not found: run \`npm run build\` first; binary rows are pending`);
    const binVersion = haveBinary ? await versionMs(ctx, "bin", BINARY, []) : [];
    const srcVersion = await versionMs(ctx, "src", BUN, ["cli/main.ts"]);
    ctx.log(`--version: binary ${median(binVersion)} ms, source ${median(srcVersion)} ms`);
    const binFirst = haveBinary ? await firstRecordMs(ctx, true) : [];
    const srcFirst = await firstRecordMs(ctx, false);
    ctx.log(`first record: binary ${median(binFirst)} ms, source ${median(srcFirst)} ms`);
    const m = {
      binaryVersionMs: round(median(binVersion), 1),
      sourceVersionMs: round(median(srcVersion), 1),
      binaryFirstRecordMs: round(median(binFirst), 1),
      sourceFirstRecordMs: round(median(srcFirst), 1),
    };
    return {
      scenario: "startup",
      medians: m,
      targets: [
        target("binary --version", m.binaryVersionMs, "<=", 100, " ms"),
        target(
          "binary start → first record (existing lease table)",
          m.binaryFirstRecordMs,
          "<=",
          2000,
          " ms",
        ),
      ],
      missing: 0,
      perRun: [{ binVersion, srcVersion, binFirst, srcFirst }],
      notes,
      summary: [
        `--version, spawn → exit, median of ${VERSION_RUNS}: binary ${m.binaryVersionMs ?? "pending"} ms, bun cli/main.ts ${m.sourceVersionMs} ms`,
        `spawn → first record on an existing lease table (leases released by a graceful stop), median of ${ctx.runs}: ` +
          `binary ${m.binaryFirstRecordMs ?? "pending"} ms, bun cli/main.ts ${m.sourceFirstRecordMs} ms`,
      ],
    };
  },
};
