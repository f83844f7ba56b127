// Node smoke test: Node (>= 20) imports the library from src/index.ts through tsx and runs a worker
// against the test emulators until every record arrives.
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../build/binary.ts";
import { type SeededStream, seedStream } from "../binary/fixtures/setup.ts";
import { runBinary, tempDir } from "../binary/support.ts";
import { uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";

const TSX = join(PROJECT_ROOT, "node_modules", ".bin", "tsx");
const RECORDS = 50;

const aws = awsForSuite();
let seeded: SeededStream;

beforeAll(async () => {
  seeded = await seedStream(aws, uniqueName("node-smoke"), 2, RECORDS);
}, 60_000);

describe("Node runs the library via tsx", () => {
  test("a worker started from src/index.ts receives every record and stops cleanly", async () => {
    const run = await runBinary(TSX, [join(import.meta.dir, "fixtures", "node-worker.ts")], {
      cwd: tempDir("kcl-ts-node"),
      env: {
        ...aws.env,
        // tsx is a node script: the machine's node must be on PATH (bun's node shim must not be).
        PATH: (process.env.PATH ?? "")
          .split(":")
          .filter((p) => !p.includes("bun-node"))
          .join(":"),
        HOME: process.env.HOME ?? "",
        KCL_APP: uniqueName("node-smoke"),
        KCL_STREAM: seeded.stream,
        EXPECT: String(RECORDS),
      },
      timeoutMs: 90_000,
    });
    const summary = JSON.parse(run.stdout.trim().split("\n").pop() || "{}");
    expect({ code: run.code, error: summary.error, stderr: run.code === 0 ? "" : run.stderr }).toEqual({
      code: 0,
      error: undefined,
      stderr: "",
    });
    expect(summary.runtime).toMatch(/^node (2\d|[3-9]\d)\./);
    expect(summary.delivered).toEqual(seeded.records.map((r) => r.data).sort());
    expect(summary.clean).toBe(true);
    expect(summary.coordinator).toBe("ThreadedLeaseCoordinator");
  }, 120_000);
});
