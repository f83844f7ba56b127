// CI smoke test of the benchmark harness, so it cannot rot: `bench/run.ts throughput` on 20,000
// records, one run, through the real command. Fails if any record is missing from kcl-ts consume or
// from the raw loop; asserts nothing about speed (CI machines are noisy), and its time limits are
// liveness bounds, not a speed target (`npm run bench throughput` reports the speed).
import { afterAll, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO = join(import.meta.dir, "..", "..");
const out = mkdtempSync(join(tmpdir(), "kcl-bench-"));
let child: ReturnType<typeof spawn> | undefined;

afterAll(() => {
  // run.ts stops every process it starts; this only covers a run.ts that itself hangs.
  if (child?.exitCode === null) child.kill("SIGKILL");
  rmSync(out, { recursive: true, force: true });
});

test("throughput scenario on 20,000 records: every record delivered, one JSON line", async () => {
  child = spawn(
    process.execPath,
    [
      "bench/run.ts",
      "throughput",
      "--records",
      "20000",
      "--runs",
      "1",
      "--drain-timeout-ms",
      // Liveness only (records that never arrive): a loaded CI machine may take minutes.
      "180000",
      "--out",
      out,
    ],
    { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => {
    stdout += c;
  });
  child.stderr!.on("data", (c: Buffer) => {
    stderr += c;
  });
  const code = await new Promise<number | null>((resolve) => child!.on("exit", resolve));
  const jsonLines = stdout.split("\n").filter((l) => l.startsWith("{"));
  if (jsonLines.length !== 1)
    throw new Error(`expected one JSON line, got:\n${stdout}\n${stderr.slice(-3000)}`);
  const result = JSON.parse(jsonLines[0]!);
  if (result.error) throw new Error(`bench failed: ${result.error}\n${stderr.slice(-3000)}`);
  expect(result.missing).toBe(0);
  // 0 = targets met, 1 = a speed target missed (not asserted here); 3 = records missing or a failure.
  expect([0, 1]).toContain(code ?? -1);
  const run = result.perRun[0];
  expect(run.kcl.missing).toBe(0);
  expect(run.raw.missing).toBe(0);
  expect(run.kcl.records).toBeGreaterThanOrEqual(20_000);
  expect(run.raw.records).toBe(20_000);
  expect(run.kcl.exitCode).toBe(0);
  expect(result.medians.kclRecordsPerSecond).toBeGreaterThan(0);
  expect(JSON.parse(readFileSync(join(out, "results", "throughput.json"), "utf8")).scenario).toBe(
    "throughput",
  );
}, 300_000);
