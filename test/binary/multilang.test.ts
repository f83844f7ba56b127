// The compiled binary copied outside the project runs `multilang`: it spawns a child per shard (a
// plain Python processor, the user's own program) on the embedded emulators, and on SIGINT every
// child checkpoints in shutdownRequested before the worker stops cleanly.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../support/aws.ts";
import { killAll, startProcess } from "../support/processes.ts";
import { compiledBinary, tempDir } from "./support.ts";

/** The interpreter itself: a python3 on PATH may be a shim script that needs a shell the run lacks. */
function realPython(): string | undefined {
  const found = Bun.which("python3");
  if (!found) return undefined;
  const run = Bun.spawnSync([found, "-c", "import sys; print(sys.executable)"]);
  return run.exitCode === 0 ? run.stdout.toString().trim() : undefined;
}
const PYTHON = realPython();
let dir: string;
let exe: string;

beforeAll(async () => {
  const built = await compiledBinary();
  dir = tempDir("kcl-ts-multilang");
  exe = join(dir, "kcl-ts");
  copyFileSync(built.outfile, exe);
  copyFileSync(join(import.meta.dir, "../multilang/fixtures/python_child.py"), join(dir, "app.py"));
}, 120_000);

afterAll(async () => {
  await killAll();
});

test.skipIf(!PYTHON)(
  "multilang --local with a Python child: processed, checkpointed, stopped cleanly",
  async () => {
    writeFileSync(
      join(dir, "app.properties"),
      `executableName = ${PYTHON} -u app.py\nstreamName = ml-local\napplicationName = ml-local\ninitialPositionInStream = TRIM_HORIZON\n`,
    );
    const proc = startProcess(
      "binary multilang",
      ["multilang", "-p", "app.properties", "--local", "--produce", "50", "--output", "json"],
      { exe, cwd: dir, env: { PATH: dir, HOME: dir, KCL_TEST_OUT: join(dir, "out.jsonl") } },
    );
    try {
      const checkpoints = () => proc.lines.filter((l) => l.includes('"type":"checkpoint-written"')).length;
      await waitFor("children checkpointing", () => checkpoints() >= 4, 60_000, 100).catch((error: Error) => {
        throw new Error(`${error.message}\nstderr: ${proc.stderr().slice(-2000)}`);
      });
      proc.signal("SIGINT");
      expect((await proc.exited).code).toBe(0);
      expect(proc.stderr().match(/\] checkpoint None: ok/g)?.length).toBe(4);
      expect(
        proc.lines.some((l) => l.includes('"type":"worker-stopped"') && l.includes('"clean":true')),
      ).toBe(true);
    } finally {
      await proc.kill();
    }
  },
  120_000,
);
