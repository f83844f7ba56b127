// runConsume without yargs, a terminal or AWS: option merging, validation order, exit codes,
// signals (graceful first, forced second), worker id, --local wiring.
import { describe, expect, test } from "bun:test";
import { EventEmitter } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ConsumeDeps, defaultWorkerId, runConsume } from "../../cli/commands/consume.ts";
import type { ConsumeArgs } from "../../cli/consume-options.ts";
import { loadPlugin } from "../../cli/plugin-loader.ts";
import { DependencyError, ProcessorFailedError } from "../../src/core/errors.ts";
import { seededRandom } from "../../src/core/random.ts";
import { type FakeWorkerScript, fakeWorkerFactory } from "./support/fake-worker.ts";

const PLUGINS = join(import.meta.dir, "..", "fixtures", "plugins");
const REQUIRED: ConsumeArgs = {
  plugin: "object-plugin.ts",
  stream: "orders",
  app: "billing",
  output: "lines",
};

function harness(script: FakeWorkerScript = {}, overrides: Partial<ConsumeDeps> = {}) {
  const workers = fakeWorkerFactory(script);
  let out = "";
  let err = "";
  const signals = new EventEmitter();
  const forced: number[] = [];
  let markReady = () => {};
  /** Resolves once runConsume has installed its signal handlers (after the plugin loaded). */
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const deps: ConsumeDeps = {
    cwd: PLUGINS,
    env: {},
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s) },
    signals: signals as unknown as ConsumeDeps["signals"],
    forceExit: (code) => forced.push(code),
    createWorker: workers.create,
    hostname: () => "host1",
    pid: 4242,
    random: seededRandom(7),
    onReady: () => markReady(),
    ...overrides,
  };
  return { deps, workers, signals, forced, ready, out: () => out, err: () => err };
}

/** Polls until `done` (liveness only: fails after 20 s instead of carrying on regardless). */
async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!done()) throw new Error(`${what} did not happen within 20 s`);
}

/** Runs consume and sends SIGINT once its signal handlers are installed and the worker has started. */
async function runUntilSignal(h: ReturnType<typeof harness>, args: ConsumeArgs) {
  const running = runConsume(args, h.deps);
  await Promise.race([h.ready, running.then((code) => Promise.reject(new Error(`consume ended: ${code}`)))]);
  await until("worker started", () => h.out().includes("started"));
  h.signals.emit("SIGINT");
  return running;
}

describe("runConsume", () => {
  test("runs a worker until SIGINT, stops it gracefully, exit 0; lines output shows the events", async () => {
    const h = harness();
    const code = await runUntilSignal(h, REQUIRED);
    expect(code).toBe(0);
    const worker = h.workers.created[0]!;
    expect(worker.stopReasons).toEqual(["SIGINT"]);
    expect(worker.options.workerId).toBe(defaultWorkerId("host1", 4242, seededRandom(7)));
    expect(h.out()).toContain("worker host1-4242-");
    expect(h.out()).toContain("worker stopped (clean)");
    expect(h.err()).toContain("shutting down gracefully");
    expect(h.forced).toEqual([]);
  });

  test("a second signal forces exit with 128 + signal number", async () => {
    const h = harness({ stopResult: { clean: true } });
    h.deps.createWorker = (options) => {
      const w = fakeWorkerFactory().create(options);
      // A stop that never finishes: only the forced exit ends this.
      return { ...w, start: w.start, stop: () => new Promise(() => {}), done: w.done };
    };
    // A plugin that takes a while to load: the handlers exist only after it, so no fixed sleep is
    // long enough on a loaded machine; the test waits for readiness instead.
    h.deps.loadPlugin = async (file, options) => {
      await new Promise((r) => setTimeout(r, 100));
      return loadPlugin(file, options);
    };
    void runConsume(REQUIRED, h.deps);
    await h.ready;
    h.signals.emit("SIGTERM");
    h.signals.emit("SIGINT");
    expect(h.forced).toEqual([130]);
    expect(h.err()).toContain("forcing exit");
  });

  test("the config file supplies options, flags win, and the worker gets them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kcl-cfg-"));
    const file = join(dir, "consume.json");
    writeFileSync(
      file,
      JSON.stringify({ stream: "from-file", app: "file-app", "failover-ms": 20000, maxRecords: 50 }),
    );
    const h = harness();
    const code = await runUntilSignal(h, {
      plugin: "object-plugin.ts",
      config: file,
      app: "flag-app",
      output: "json",
    });
    expect(code).toBe(0);
    const options = h.workers.created[0]!.options;
    expect(options).toMatchObject({
      stream: "from-file",
      app: "flag-app",
      failoverMs: 20000,
      maxRecords: 50,
    });
    expect(JSON.parse(h.out().split("\n")[0]!)).toMatchObject({ type: "worker-started", app: "flag-app" });
  });

  test.each(
    [
      [{ ...REQUIRED, stream: undefined }, "--stream"],
      [{ ...REQUIRED, app: undefined }, "--app"],
      [{ ...REQUIRED, plugin: undefined }, "--plugin is required"],
      [{ ...REQUIRED, initialPosition: "AT_TIMESTAMP" }, "--timestamp"],
      [{ ...REQUIRED, failoverMs: 10 }, "--failover-ms"],
      [{ ...REQUIRED, output: "fancy" }, "--output"],
      [{ ...REQUIRED, shards: 3 }, "--shards only applies with --local"],
      [{ ...REQUIRED, produce: 5 }, "--produce only applies with --local"],
      [{ ...REQUIRED, local: true, produce: -1 }, "--produce -1"],
      [{ ...REQUIRED, local: true, kinesisEndpoint: "http://127.0.0.1:1" }, "--local starts its own"],
      [{ ...REQUIRED, local: true, retrieval: "efo" }, "kinesalite, which has no enhanced fan-out"],
      [{ ...REQUIRED, consumerName: "x" }, "--consumer-name"],
      [{ ...REQUIRED, config: "/nope/missing.json" }, "cannot read"],
    ].map(([args, words]) => [words, args]) as [string, ConsumeArgs][],
  )("usage error naming %s: exit 2, before the plugin loads", async (words, args) => {
    let pluginLoaded = false;
    const h = harness(
      {},
      {
        loadPlugin: async () => {
          pluginLoaded = true;
          throw new Error("must not load");
        },
      },
    );
    expect(await runConsume(args, h.deps)).toBe(2);
    expect(h.err()).toContain(words);
    expect(pluginLoaded).toBe(false);
    expect(h.workers.created).toEqual([]);
  });

  test("a plugin that fails to load is exit 3 and no worker (no AWS call) is created", async () => {
    const h = harness();
    expect(await runConsume({ ...REQUIRED, plugin: "no-process-records.ts" }, h.deps)).toBe(3);
    expect(h.err()).toContain("no processRecords");
    expect(h.workers.created).toEqual([]);
  });

  test("start() failing with a DependencyError is exit 4 with its message", async () => {
    const error = new DependencyError('stream "orders" does not exist (region r, endpoint e)', "missing");
    const h = harness({ startError: error });
    expect(await runConsume(REQUIRED, h.deps)).toBe(4);
    expect(h.err()).toContain('stream "orders" does not exist');
  });

  test("done rejecting with ProcessorFailedError (--on-error exit) is exit 5", async () => {
    const h = harness({ failAfterStart: new ProcessorFailedError("processRecords threw on shardId-1") });
    expect(await runConsume({ ...REQUIRED, onError: "exit" }, h.deps)).toBe(5);
    expect(h.err()).toContain("processRecords threw");
  });

  test("an unexpected error is exit 1 and says it is a bug", async () => {
    const h = harness({ startError: new TypeError("undefined is not a function") });
    expect(await runConsume(REQUIRED, h.deps)).toBe(1);
    expect(h.err()).toContain("this is a bug");
    expect(h.err()).toContain("undefined is not a function");
  });

  test("an unclean stop still exits 0 but says what it means", async () => {
    const h = harness({ stopResult: { clean: false } });
    expect(await runUntilSignal(h, REQUIRED)).toBe(0);
    expect(h.err()).toContain("not clean");
  });

  test("--local starts the local stack, points the worker at it and stops it afterwards", async () => {
    let stopped = false;
    const h = harness(
      {},
      {
        startLocal: async ({ stream, shards }) => {
          expect([stream, shards]).toEqual(["orders", 2]);
          return {
            kinesisEndpoint: "http://127.0.0.1:1111",
            dynamodbEndpoint: "http://127.0.0.1:2222",
            region: "us-east-1",
            credentials: { accessKeyId: "local", secretAccessKey: "local" },
            shards,
            stop: async () => {
              stopped = true;
            },
          };
        },
      },
    );
    expect(await runUntilSignal(h, { ...REQUIRED, local: true, shards: 2 })).toBe(0);
    expect(h.workers.created[0]!.options).toMatchObject({
      kinesisEndpoint: "http://127.0.0.1:1111",
      dynamodbEndpoint: "http://127.0.0.1:2222",
      credentials: { accessKeyId: "local" },
    });
    expect(stopped).toBe(true);
  });

  test("static keys in the given environment are passed as credentials", async () => {
    const h = harness({}, { env: { AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "s" } });
    await runUntilSignal(h, REQUIRED);
    expect(h.workers.created[0]!.options.credentials).toEqual({ accessKeyId: "AKIA", secretAccessKey: "s" });
  });
});
