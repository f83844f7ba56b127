// Deno smoke test: `deno run -A cli/main.ts` (run from source, deno.json nodeModulesDir manual) runs
// consume with an external .ts plugin until every record is delivered, leases list --json, --local.
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../build/binary.ts";
import {
  awaitDelivery,
  copyTsPlugin,
  leaseProblems,
  type SeededStream,
  seedStream,
} from "../binary/fixtures/setup.ts";
import { runBinary, tempDir } from "../binary/support.ts";
import { uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { startProcess } from "../support/processes.ts";

const DENO = join(PROJECT_ROOT, "node_modules", ".bin", "deno");
const MAIN = join(PROJECT_ROOT, "cli", "main.ts");
const RECORDS = 100;

const aws = awsForSuite();
let dir: string;
let plugin: string;
let seeded: SeededStream;
const app = uniqueName("deno-smoke");

/** Arguments of `deno run -A cli/main.ts <args>`, with the project's deno.json wherever cwd is. */
function denoArgs(args: string[]): string[] {
  return ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), MAIN, ...args];
}

beforeAll(async () => {
  dir = tempDir("kcl-ts-deno");
  plugin = copyTsPlugin(dir);
  seeded = await seedStream(aws, uniqueName("deno-smoke"), 2, RECORDS);
}, 60_000);

describe("Deno runs the CLI from source", () => {
  test("consume with a .ts plugin delivers every record and exits 0 on SIGINT", async () => {
    const out = join(dir, "delivered.jsonl");
    const consume = startProcess(
      "deno consume",
      denoArgs([
        "consume",
        ...["--plugin", plugin, "--stream", seeded.stream, "--app", app],
        ...["--initial-position", "TRIM_HORIZON", "--output", "json", "--idle-time-ms", "200"],
      ]),
      { exe: DENO, cwd: dir, env: { ...aws.env, KCL_E2E_OUT: out } },
    );
    try {
      await awaitDelivery(seeded, out, consume);
      consume.signal("SIGINT");
      const exit = await consume.exited;
      expect({ code: exit.code, stderr: exit.code === 0 ? "" : consume.stderr() }).toEqual({
        code: 0,
        stderr: "",
      });
      // Deno starts the lease thread (node:worker_threads): no fallback to renewing on the main thread.
      expect(consume.lines.filter((line) => line.includes("lease thread unavailable"))).toEqual([]);
    } finally {
      await consume.kill();
    }
  }, 120_000);

  test("leases list --json reads the table the Deno worker wrote", async () => {
    const run = await runBinary(DENO, denoArgs(["leases", "list", "--app", app, "--json"]), {
      cwd: dir,
      // Deno's own cache lives under HOME: reuse it rather than transpile everything again.
      env: { ...aws.env, PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir },
      timeoutMs: 60_000,
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(leaseProblems(seeded, run.stdout)).toEqual([]);
  }, 60_000);

  test("consume --local starts the embedded emulators and acquires every lease", async () => {
    const local = startProcess(
      "deno consume --local",
      denoArgs([
        "consume",
        "--local",
        "--plugin",
        plugin,
        "--stream",
        "local",
        "--app",
        "local",
        "--output",
        "json",
      ]),
      { exe: DENO, cwd: dir, env: { KCL_E2E_OUT: join(dir, "local.jsonl") } },
    );
    try {
      const acquired = () => local.lines.filter((line) => line.includes('"lease-acquired"')).length;
      await waitFor("the 4 leases of the --local stream acquired", () => acquired() >= 4, 60_000, 100).catch(
        (error: Error) => {
          throw new Error(`${error.message}\nstderr: ${local.stderr().slice(-2000)}`);
        },
      );
      local.signal("SIGINT");
      expect((await local.exited).code).toBe(0);
    } finally {
      await local.kill();
    }
  }, 120_000);
});
