// The embedded emulators inside a compiled binary, run from a directory with no node_modules: the
// build plugin's static action tables, strict-mode fixes and in-memory level stubs must all hold.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { compiledBinary, runBinary, tempDir } from "./support.ts";

describe("embedded emulators in a compiled binary", () => {
  test("kinesalite and dynalite serve every operation kcl-ts uses", async () => {
    const built = await compiledBinary(join(import.meta.dir, "fixtures", "emulator-check.ts"));
    const run = await runBinary(built.outfile, [], { cwd: tempDir("kcl-ts-emulators"), timeoutMs: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.streams).toEqual(["binary-check"]);
    expect(summary.shardRecords.length).toBeGreaterThan(0);
    expect(summary.shardRecords).toEqual(summary.expectedShardRecords);
    expect(summary.shardsAfterSplit).toBe(4);
    expect(summary.shardsAfterMerge).toBe(5);
    expect(summary.shardsListed).toBe(5);
    expect(summary.conflict).toBe("ConditionalCheckFailed");
    expect(summary.batch).toEqual(["ok", "ConditionalCheckFailed"]);
    expect(summary.lease).toEqual({ owner: "worker-a", counter: "2" });
    expect(summary.items).toBe(1);
  }, 120_000);
});
