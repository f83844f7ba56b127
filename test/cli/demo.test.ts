// runDemo's orchestration with stand-in worker processes: it starts the emulators, produces, spawns
// and kills workers, splits a shard, ends by itself and leaves no process behind.
import { describe, expect, test } from "bun:test";
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { type DemoDeps, runDemo } from "../../cli/commands/demo.ts";
import { defaultPlan } from "../../cli/demo/scenario.ts";
import { leaseMap, shardLabel } from "../../cli/demo/view.ts";

const FAKE_CONSUME = join(import.meta.dir, "support", "fake-consume.ts");

describe("runDemo", () => {
  test("runs the timeline with stand-in workers, then stops everything", async () => {
    let out = "";
    let err = "";
    const deps: DemoDeps = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      signals: new EventEmitter() as unknown as DemoDeps["signals"],
      forceExit: () => {},
      env: process.env,
      command: [process.execPath, FAKE_CONSUME],
      plan: {
        steps: [
          { atMs: 0, action: "add", note: "first" },
          { atMs: 300, action: "add", note: "second" },
          { atMs: 600, action: "split", note: "split now" },
          { atMs: 1200, action: "kill", note: "kill now" },
        ],
        endAtMs: 2500,
        failoverMs: 3000,
        shardSyncMs: 1000,
      },
    };
    const code = await runDemo({ seconds: 10, rate: 50 }, deps);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("stream kcl-demo (4 shards)");
    expect(out).toMatch(/worker-A\s+worker worker-A started/);
    expect(out).toMatch(/worker-B\s+\+ acquired shardId-000000000000/);
    expect(out).toContain("split shardId-000000000000: 5 open shards now");
    expect(out).toMatch(/worker-[AB]\s+killed with SIGKILL/);
    expect(out).toContain("stopping: producer first");
    expect(out).not.toContain("plugin output");
    const produced = Number(out.match(/produced (\d+)/)?.[1]);
    expect(produced).toBeGreaterThan(50);
    expect(out).toMatch(/processed \d+ \(worker-/);
  }, 30_000);

  test("bad flags are exit 2", async () => {
    let err = "";
    const code = await runDemo(
      { workers: 1 },
      {
        stdout: { write: () => {} },
        stderr: { write: (s: string) => (err += s) },
        signals: new EventEmitter() as unknown as DemoDeps["signals"],
        forceExit: () => {},
        env: {},
      },
    );
    expect(code).toBe(2);
    expect(err).toContain("--workers");
  });
});

describe("demo view", () => {
  test("lease map groups shards by owner, then unowned and finished", () => {
    expect(shardLabel("shardId-000000000012")).toBe("12");
    expect(
      leaseMap([
        { leaseKey: "shardId-000000000001", leaseOwner: "worker-B" },
        { leaseKey: "shardId-000000000000", leaseOwner: "worker-A", checkpoint: "SHARD_END" },
        { leaseKey: "shardId-000000000002", leaseOwner: "worker-A" },
        { leaseKey: "shardId-000000000004" },
      ]),
    ).toBe("worker-A [2] · worker-B [1] · unowned [4] · finished [0]");
  });

  test("the default story fits the requested length and keeps its order", () => {
    const plan = defaultPlan(60, 3);
    expect(plan.steps.map((s) => s.action)).toEqual(["add", "add", "add", "split", "kill", "add"]);
    expect(plan.endAtMs).toBe(60_000);
    expect(Math.max(...plan.steps.map((s) => s.atMs))).toBeLessThan(60_000 - plan.failoverMs);
  });
});
