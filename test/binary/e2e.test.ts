// End to end with the compiled binary copied outside the project (no node_modules, no bun or node on
// PATH): consume with an external .ts plugin against the test emulators until every record is
// delivered, leases list --json, and consume --local with a pre-bundled npm-dependency plugin.
import { beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { BUN, startProcess } from "../support/processes.ts";
import {
  awaitDelivery,
  bundleNpmPlugin,
  copyTsPlugin,
  leaseProblems,
  type SeededStream,
  seedStream,
} from "./fixtures/setup.ts";
import { compiledBinary, runBinary, tempDir } from "./support.ts";

const RECORDS = 200;
const aws = awsForSuite();
let dir: string;
let exe: string;
let seeded: SeededStream;
const app = uniqueName("binary-e2e");

/** The binary's environment: nothing of this machine's toolchain is reachable. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: dir, HOME: dir, ...extra };
}

beforeAll(async () => {
  const built = await compiledBinary();
  dir = tempDir("kcl-ts-e2e");
  exe = join(dir, "kcl-ts");
  copyFileSync(built.outfile, exe);
  seeded = await seedStream(aws, uniqueName("binary-e2e"), 4, RECORDS);
}, 120_000);

describe("compiled binary end to end", () => {
  test("--version runs from the temporary directory", async () => {
    const run = await runBinary(exe, ["--version"], { cwd: dir, env: env() });
    expect(run.stdout.trim()).toBe(pkg.version);
    expect(run.code).toBe(0);
  });

  test("consume with an external .ts plugin delivers every record, then stops cleanly on SIGINT", async () => {
    const plugin = copyTsPlugin(dir);
    const out = join(dir, "delivered.jsonl");
    const consume = startProcess(
      "binary consume",
      [
        "consume",
        ...["--plugin", plugin, "--stream", seeded.stream, "--app", app],
        ...["--initial-position", "TRIM_HORIZON", "--output", "json", "--idle-time-ms", "200"],
      ],
      { exe, cwd: dir, env: env({ ...aws.env, KCL_E2E_OUT: out }) },
    );
    try {
      await awaitDelivery(seeded, out, consume);
      consume.signal("SIGINT");
      const exit = await consume.exited;
      expect({ code: exit.code, stderr: exit.code === 0 ? "" : consume.stderr() }).toEqual({
        code: 0,
        stderr: "",
      });
      expect(consume.lines.some((line) => line.includes('"lease-acquired"'))).toBe(true);
      // The lease thread's entry is compiled in: no fallback to renewing on the main thread.
      expect(consume.lines.filter((line) => line.includes("lease thread unavailable"))).toEqual([]);
    } finally {
      await consume.kill();
    }
  }, 120_000);

  test("leases list --json shows one released lease per shard, checkpointed at its last record", async () => {
    const run = await runBinary(exe, ["leases", "list", "--app", app, "--json"], {
      cwd: dir,
      env: env(aws.env),
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(leaseProblems(seeded, run.stdout)).toEqual([]);
  }, 60_000);

  // With --no-lease-thread the worker's DynamoDB store is imported on demand (a chunk of the binary).
  for (const [variant, extra] of [
    ["", []],
    [" (--no-lease-thread: its DynamoDB store loaded on demand)", ["--no-lease-thread"]],
  ] as const) {
    test(`consume --local runs a worker on the embedded emulators with a pre-bundled npm plugin${variant}`, async () => {
      const plugin = bundleNpmPlugin(dir, BUN);
      const out = join(dir, `local${extra.length}.txt`);
      const local = startProcess(
        "binary consume --local",
        [
          "consume",
          "--local",
          "--plugin",
          plugin,
          "--stream",
          "local-e2e",
          "--app",
          "local-e2e",
          "--output",
          "json",
          ...extra,
        ],
        { exe, cwd: dir, env: env({ KCL_E2E_OUT: out }) },
      );
      try {
        const initialized = () => {
          try {
            return readFileSync(out, "utf8")
              .split("\n")
              .filter((l) => l.startsWith("INITIALIZED SHARDID-"));
          } catch {
            return [];
          }
        };
        await waitFor(
          "a processor initialized for each of the 4 shards --local creates",
          () => initialized().length >= 4,
          60_000,
          100,
        ).catch((error: Error) => {
          throw new Error(`${error.message}\nstderr: ${local.stderr().slice(-2000)}`);
        });
        local.signal("SIGINT");
        const exit = await local.exited;
        expect(exit.code).toBe(0);
        expect(local.stderr()).toContain("--local: emulators at http://127.0.0.1:");
      } finally {
        await local.kill();
      }
    }, 120_000);
  }
});
