// The bench harness's pseudo-terminal: the dashboard scenario is only meaningful if the consumer
// really sees a terminal of the given size, and if pid/signal/sample address the consumer itself.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnBench } from "../../bench/harness/processes.ts";

const dir = mkdtempSync(join(tmpdir(), "kcl-bench-pty-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROGRAM = `
process.stdout.write(JSON.stringify({
  pid: process.pid, tty: process.stdout.isTTY === true, stdinTty: process.stdin.isTTY === true,
  cols: process.stdout.columns, rows: process.stdout.rows, noColor: process.env.NO_COLOR ?? null,
}) + "\\n");
process.on("SIGTERM", () => { process.stdout.write("terminated\\n"); process.exit(7); });
setInterval(() => {}, 1000);
`;

test("a pty process sees a terminal of the given size; pid, signal and exit code are the consumer's", async () => {
  const proc = spawnBench("pty", ["-e", PROGRAM], { logDir: dir, pty: { cols: 97, rows: 31 } });
  const deadline = Date.now() + 10_000;
  let screen = "";
  while (!screen.includes("}") && Date.now() < deadline) {
    await Bun.sleep(50);
    screen = readFileSync(proc.stdoutFile, "utf8");
  }
  const seen = JSON.parse(screen.slice(screen.indexOf("{"), screen.indexOf("}") + 1));
  expect(seen).toEqual({ pid: proc.pid, tty: true, stdinTty: true, cols: 97, rows: 31, noColor: null });
  expect(proc.sample()?.cpuSeconds).toBeGreaterThanOrEqual(0);
  const exit = await proc.stop("SIGTERM", 10_000);
  expect(exit.forced).toBe(false);
  expect(exit.code).toBe(7);
  expect(readFileSync(proc.stdoutFile, "utf8")).toContain("terminated");
});
