// Scenario "startup": the compiled binary's `--version` and `--help` (spawn → exit) beside a compiled
// Bun hello-world built in the same run and, on an existing lease table (leases released by a graceful
// stop), spawn → first record processed.
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

async function versionMs(
  ctx: RunContext,
  name: string,
  exe: string,
  args: string[],
  flag = "--version",
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= VERSION_RUNS; i++) {
    const proc = spawnBench(`${name}${flag}`, [...args, flag], { logDir: ctx.dir, exe });
    const exit = await proc.stop(null, 10_000);
    if (exit.code !== 0)
      throw new Error(`${exe} ${args.join(" ")} ${flag} exited ${exit.code}: ${proc.stderrTail()}`);
    if (i > 0) times.push(exit.at - proc.startedAt); // the first spawn warms the page cache
  }
  return times;
}

/** The baseline: a hello-world compiled like the kcl-ts binary (bytecode, ESM), in this run's directory. */
async function buildHelloWorld(ctx: RunContext): Promise<string> {
  const outfile = join(ctx.dir, "hello-world");
  const built = await Bun.build({
    entrypoints: [join(import.meta.dir, "..", "harness", "hello-world.ts")],
    compile: { outfile },
    bytecode: true,
    format: "esm",
    target: "bun",
  });
  if (!built.success) throw new Error(`building the hello-world failed: ${built.logs.join("\n")}`);
  return outfile;
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

function ratio(a: number | null, b: number | null): string {
  return a === null || b === null || b === 0 ? "n/a" : `${(a / b).toFixed(2)}× the hello-world`;
}

export const startup: Scenario = {
  name: "startup",
  describe: "compiled binary: --version, and first record processed on an existing lease table",
  async run(ctx) {
    const notes: string[] = [];
    const haveBinary = existsSync(BINARY);
    if (!haveBinary) notes.push(`${BINARY} not found: run \`npm run build\` first; binary rows are pending`);
    const hello = await buildHelloWorld(ctx);
    // Interleaved per round would be fairer still; one after the other, the baseline comes first and last.
    const helloBefore = await versionMs(ctx, "hello", hello, []);
    const binVersion = haveBinary ? await versionMs(ctx, "bin", BINARY, []) : [];
    const binHelp = haveBinary ? await versionMs(ctx, "bin", BINARY, [], "--help") : [];
    const helloAfter = await versionMs(ctx, "hello", hello, []);
    const helloVersion = [...helloBefore, ...helloAfter];
    const srcVersion = await versionMs(ctx, "src", BUN, ["cli/main.ts"]);
    ctx.log(
      `--version: hello-world ${median(helloVersion)} ms, binary ${median(binVersion)} ms (--help ${median(binHelp)} ms), source ${median(srcVersion)} ms`,
    );
    const binFirst = haveBinary ? await firstRecordMs(ctx, true) : [];
    const srcFirst = await firstRecordMs(ctx, false);
    ctx.log(`first record: binary ${median(binFirst)} ms, source ${median(srcFirst)} ms`);
    const m = {
      helloWorldMs: round(median(helloVersion), 1),
      binaryVersionMs: round(median(binVersion), 1),
      binaryHelpMs: round(median(binHelp), 1),
      sourceVersionMs: round(median(srcVersion), 1),
      binaryFirstRecordMs: round(median(binFirst), 1),
      sourceFirstRecordMs: round(median(srcFirst), 1),
    };
    return {
      scenario: "startup",
      medians: m,
      targets: [
        target("binary --version", m.binaryVersionMs, "<=", 40, " ms"),
        target("binary --help", m.binaryHelpMs, "<=", 40, " ms"),
        target(
          "binary start → first record (existing lease table)",
          m.binaryFirstRecordMs,
          "<=",
          2000,
          " ms",
        ),
      ],
      missing: 0,
      perRun: [{ helloVersion, binVersion, binHelp, srcVersion, binFirst, srcFirst }],
      notes,
      summary: [
        `spawn → exit, median of ${VERSION_RUNS}: compiled hello-world ${m.helloWorldMs} ms (${2 * VERSION_RUNS} runs, before and after); ` +
          `binary --version ${m.binaryVersionMs ?? "pending"} ms (${ratio(m.binaryVersionMs, m.helloWorldMs)}), ` +
          `--help ${m.binaryHelpMs ?? "pending"} ms (${ratio(m.binaryHelpMs, m.helloWorldMs)}); bun cli/main.ts --version ${m.sourceVersionMs} ms`,
        `spawn → first record on an existing lease table (leases released by a graceful stop), median of ${ctx.runs}: ` +
          `binary ${m.binaryFirstRecordMs ?? "pending"} ms, bun cli/main.ts ${m.sourceFirstRecordMs} ms`,
      ],
    };
  },
};
