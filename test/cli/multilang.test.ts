// runMultilang without yargs or AWS: the properties file layered under the flags, the notice about
// ignored and unknown keys, and each bad input's message and exit code.
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventEmitter } from "node:events";
import type { ConsumeDeps } from "../../cli/commands/consume.ts";
import { type MultilangArgs, runMultilang } from "../../cli/commands/multilang.ts";
import { seededRandom } from "../../src/core/random.ts";
import { startProcess } from "../support/processes.ts";
import { fakeWorkerFactory } from "./support/fake-worker.ts";

const MAIN = join(import.meta.dir, "..", "..", "cli", "main.ts");

function folder(properties: string, files: Record<string, { text: string; mode?: number }> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "kcl-ml-cli-"));
  writeFileSync(join(dir, "app.properties"), properties);
  for (const [name, f] of Object.entries(files)) {
    writeFileSync(join(dir, name), f.text);
    chmodSync(join(dir, name), f.mode ?? 0o755);
  }
  return dir;
}

const VALID = "executableName = ./app.sh --fast\nstreamName = orders\napplicationName = billing\n";
const APP = { "app.sh": { text: "#!/bin/sh\nexit 0\n" } };

function harness(cwd: string) {
  const workers = fakeWorkerFactory();
  let err = "";
  const signals = new EventEmitter();
  const deps: ConsumeDeps = {
    cwd,
    env: { PATH: process.env.PATH },
    stdout: { write: () => true, isTTY: false },
    stderr: { write: (s: string) => (err += s) },
    signals: signals as unknown as ConsumeDeps["signals"],
    forceExit: () => {},
    createWorker: workers.create,
    hostname: () => "host1",
    pid: 4242,
    random: seededRandom(7),
  };
  return { deps, workers, signals, err: () => err };
}

/** Runs multilang until the (fake) worker started, then stops it with SIGTERM. */
async function run(cwd: string, args: MultilangArgs) {
  const h = harness(cwd);
  let settled = false;
  const running = runMultilang({ output: "json", ...args }, h.deps).finally(() => {
    settled = true;
  });
  for (let i = 0; i < 400 && !settled && h.workers.created.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 10));
  h.signals.emit("SIGTERM");
  return { code: await running, ...h };
}

describe("kcl-ts multilang: properties under flags", () => {
  test("keys become worker options; checkpoint defaults to manual (the children checkpoint); flags win", async () => {
    const dir = folder(
      `${VALID}failoverTimeMillis = 20000\nmaxRecords = 100\ncallProcessRecordsEvenForEmptyRecordList = true\n`,
      APP,
    );
    const r = await run(dir, { properties: "app.properties", maxRecords: 50, workerId: "w1" });
    expect(r.code).toBe(0);
    const options = r.workers.created[0]!.options;
    expect(options).toMatchObject({
      app: "billing",
      stream: "orders",
      failoverMs: 20000,
      maxRecords: 50,
      checkpoint: "manual",
      processEmptyBatches: true,
      workerId: "w1",
    });
    expect(typeof options.processor).toBe("function");
    const auto = await run(dir, { properties: "app.properties", checkpoint: "auto", stream: "other" });
    expect(auto.workers.created[0]!.options).toMatchObject({ checkpoint: "auto", stream: "other" });
  });

  test("layers: flags over the properties file over --config", async () => {
    const dir = folder(`${VALID}maxRecords = 100\n`, APP);
    writeFileSync(
      join(dir, "base.json"),
      JSON.stringify({ maxRecords: 7, shardSyncMs: 5000, failoverMs: 4000 }),
    );
    const r = await run(dir, { properties: "app.properties", config: "base.json", failoverMs: 6000 });
    expect(r.code).toBe(0);
    expect(r.workers.created[0]!.options).toMatchObject({
      maxRecords: 100,
      shardSyncMs: 5000,
      failoverMs: 6000,
    });
  });

  test("Java-only keys are listed once as ignored; unknown keys are warned by name", async () => {
    const dir = folder(
      `${VALID}AWSCredentialsProvider = DefaultAWSCredentialsProviderChain\nmetricsLevel = NONE\nstreamname = x\n`,
      APP,
    );
    const r = await run(dir, { properties: "app.properties" });
    expect(r.code).toBe(0);
    expect(r.err().match(/ignoring Java-only keys/g)).toHaveLength(1);
    expect(r.err()).toContain("ignoring Java-only keys: AWSCredentialsProvider, metricsLevel");
    expect(r.err()).toContain("warning: ");
    expect(r.err()).toContain("unknown key streamname (did you mean streamName?)");
  });
});

describe("kcl-ts multilang: bad inputs", () => {
  test("no --properties, or a file that does not exist: exit 2 naming it", async () => {
    const dir = folder(VALID, APP);
    expect((await run(dir, {})).code).toBe(2);
    const missing = await run(dir, { properties: "nope.properties" });
    expect(missing.code).toBe(2);
    expect(missing.err()).toContain(`cannot read ${join(dir, "nope.properties")}`);
    expect(missing.workers.created).toHaveLength(0);
  });

  test("a missing required key: exit 2 naming the key", async () => {
    for (const [text, key] of [
      ["streamName = s\napplicationName = a\n", "executableName"],
      ["executableName = ./app.sh\napplicationName = a\n", "streamName"],
      ["executableName = ./app.sh\nstreamName = s\n", "applicationName"],
    ] as const) {
      const r = await run(folder(text, APP), { properties: "app.properties" });
      expect(r.code).toBe(2);
      expect(r.err()).toContain(`required key ${key} is missing`);
    }
    // A flag may stand in for a key.
    const flagged = await run(folder("executableName = ./app.sh\nstreamName = s\n", APP), {
      properties: "app.properties",
      app: "billing",
    });
    expect(flagged.err()).not.toContain("required key");
    expect(flagged.code).toBe(0);
  });

  test("an executable that is missing, not executable or not on PATH: exit 3 naming it, before any AWS call", async () => {
    const cases: [string, Record<string, { text: string; mode?: number }>, RegExp][] = [
      ["./gone.sh", {}, /executableName: \.\/gone\.sh \(.*gone\.sh\) does not exist/],
      [
        "./app.sh",
        { "app.sh": { text: "#!/bin/sh\n", mode: 0o644 } },
        /executableName: \.\/app\.sh \(.*\) is not executable/,
      ],
      ["no-such-program-kcl app.py", {}, /executableName: no-such-program-kcl was not found on PATH/],
    ];
    for (const [exe, files, message] of cases) {
      const r = await run(
        folder(`executableName = ${exe}\nstreamName = orders\napplicationName = billing\n`, files),
        {
          properties: "app.properties",
        },
      );
      expect(r.err()).toMatch(message);
      expect(r.code).toBe(3);
      expect(r.err()).toMatch(message);
      expect(r.workers.created).toHaveLength(0);
    }
  });

  test("--plugin does not apply; a bad value names the file, line and key (exit 2)", async () => {
    const dir = folder(`${VALID}maxRecords = lots\n`, APP);
    expect((await run(dir, { properties: "app.properties", plugin: "x.ts" })).code).toBe(2);
    const bad = await run(dir, { properties: "app.properties" });
    expect(bad.code).toBe(2);
    expect(bad.err()).toContain(
      `${join(dir, "app.properties")}:4: maxRecords = "lots": must be a whole number ≥ 1.`,
    );
  });
});

describe("kcl-ts multilang as users run it", () => {
  test("-p and --properties-file are --properties; a missing file exits 2 naming it", async () => {
    const dir = folder(VALID, APP);
    for (const flag of ["-p", "--properties-file", "--properties"]) {
      const proc = startProcess("multilang", ["--no-install", MAIN, "multilang", flag, "nope.properties"], {
        cwd: dir,
      });
      expect((await proc.exited).code).toBe(2);
      expect(proc.stderr()).toContain(
        `--properties "nope.properties": cannot read ${join(dir, "nope.properties")}`,
      );
    }
  });
});
