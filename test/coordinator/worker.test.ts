// createWorker: option and processor validation, fail-fast dependency checks, stop semantics, exit policy.
import { afterAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { createKinesisClient } from "../../src/aws/clients.ts";
import { createWorker } from "../../src/coordinator/worker.ts";
import { ConfigurationError, DependencyError, ProcessorFailedError } from "../../src/core/errors.ts";
import type { KclEvent } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createAwsKinesis } from "../../src/kinesis/aws-kinesis.ts";
import type { KinesisPort } from "../../src/kinesis/port.ts";
import { STARTUP_CHECK_TIMEOUT_MS } from "../../src/coordinator/startup.ts";
import { STARTUP_RETRY_BUDGET_MS } from "../../src/coordinator/startup-retry.ts";
import { FakeClock, flushAsync } from "../../src/testing/fake-clock.ts";
import { FakeKinesis } from "../../src/testing/fake-kinesis.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";

const base = { app: "unit-app", stream: "s1", workerId: "w1", failoverMs: 3000, idleTimeMs: 100 };
const noop = { async processRecords() {} };

function fakes() {
  const clock = new FakeClock();
  const kinesis = new FakeKinesis({ clock });
  const store = new MemoryLeaseStore();
  return { clock, kinesis, store, deps: { kinesis, leaseStore: store, clock, random: seededRandom(1) } };
}

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

describe("createWorker", () => {
  test("rejects a processor of the wrong shape at once", () => {
    expect(() => createWorker({ ...base, processor: {} as never })).toThrow(ConfigurationError);
    expect(() => createWorker({ ...base, processor: undefined as never })).toThrow(/processRecords/);
  });

  test("rejects invalid options at once (resolveConfig)", () => {
    expect(() => createWorker({ ...base, failoverMs: 10, processor: noop })).toThrow(ConfigurationError);
  });

  test("a generated worker id names host, pid and a suffix", () => {
    const w = createWorker({ ...base, workerId: undefined, processor: noop }, { random: seededRandom(3) });
    expect(w.workerId).toMatch(new RegExp(`-${process.pid}-[a-z0-9]{6}$`));
    expect(w.config.workerId).toBe(w.workerId);
  });

  test("a missing stream fails start() and done with a DependencyError naming the stream", async () => {
    const { deps } = fakes();
    const w = createWorker({ ...base, stream: "nope", processor: noop }, deps);
    const events: KclEvent[] = [];
    w.events.onAny((e) => events.push(e));
    const error = await w.start().catch((e) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toContain("nope");
    await expect(w.done).rejects.toBe(error);
    expect(events.map((e) => e.type)).toEqual(["worker-stopped"]);
    expect(await w.stop()).toEqual({ clean: false });
  });

  test("a missing table is created unless createTableIfMissing is false", async () => {
    const { deps, kinesis } = fakes();
    kinesis.createStream("s1", 1);
    const store = new MemoryLeaseStore({ tableExists: false, table: "unit-app" });
    const w = createWorker(
      { ...base, processor: noop },
      { ...deps, leaseStore: store, createTableIfMissing: false },
    );
    const error = await w.start().catch((e) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toContain("unit-app");

    const w2 = createWorker({ ...base, processor: noop }, { ...deps, leaseStore: store });
    await w2.start();
    expect(await store.listLeases()).toHaveLength(1);
    expect(await w2.stop()).toEqual({ clean: true });
  });

  test("an endpoint that never answers is retried with warnings, then fails start() after the start-up budget", async () => {
    const clock = new FakeClock();
    const hung: KinesisPort = {
      describeStream: () => new Promise(() => {}),
      listShards: () => new Promise(() => {}),
      getShardIterator: () => new Promise(() => {}),
      getRecords: () => new Promise(() => {}),
    };
    const w = createWorker(
      { ...base, region: "eu-west-1", kinesisEndpoint: "http://10.255.255.1:4567", processor: noop },
      { kinesis: hung, leaseStore: new MemoryLeaseStore(), clock, random: seededRandom(5) },
    );
    const warnings: string[] = [];
    w.events.on("warning", (e) => warnings.push(e.message));
    let error: unknown;
    const starting = w.start().catch((e) => {
      error = e;
    });
    // Each attempt waits STARTUP_CHECK_TIMEOUT_MS for an answer; a timeout is transient, so it is retried.
    await clock.advance(STARTUP_RETRY_BUDGET_MS - 1000);
    expect(error).toBeUndefined();
    expect(warnings.length).toBeGreaterThan(3);
    expect(warnings[0]).toContain("start-up: stream check failed (attempt 1");
    await clock.advance(STARTUP_CHECK_TIMEOUT_MS + 1000);
    await starting;
    expect(error).toBeInstanceOf(DependencyError);
    expect(String(error)).toContain('stream "s1"');
    expect(String(error)).toContain("eu-west-1");
    expect(String(error)).toContain("http://10.255.255.1:4567");
  });

  test("a refused connection fails start() (unreachable, naming the endpoint) through the real AWS adapter", async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    const endpoint = `http://127.0.0.1:${port}`;
    const { client, target } = createKinesisClient({
      region: "us-east-1",
      kinesisEndpoint: endpoint,
      env: {},
    });
    const w = createWorker(
      { ...base, processor: noop },
      { kinesis: createAwsKinesis(client, target), leaseStore: new MemoryLeaseStore() },
    );
    // No wall-clock bound: the suite's timeout is the liveness bound; start() must fail, not retry on.
    const error = await w.start().catch((e) => e);
    client.destroy();
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.code).toBe("KCL_DEPENDENCY_UNREACHABLE");
    expect(error.message).toContain(endpoint);
    expect(error.message).toContain("s1");
  });

  test("stop() before start() resolves clean; stop() is idempotent", async () => {
    const w = createWorker({ ...base, processor: noop }, fakes().deps);
    const a = w.stop();
    expect(w.stop()).toBe(a);
    expect(await a).toEqual({ clean: true });
    expect(await w.done).toEqual({ clean: true });
    await expect(w.start()).rejects.toThrow(/stopped/);
  });

  test("stop() during start(): nothing is launched, the stop is clean", async () => {
    const { deps, kinesis, store } = fakes();
    kinesis.createStream("s1", 1);
    const w = createWorker({ ...base, processor: noop }, deps);
    const events: string[] = [];
    w.events.onAny((e) => events.push(e.type));
    const starting = w.start();
    const stopping = w.stop();
    await starting;
    expect(await stopping).toEqual({ clean: true });
    expect(events).toEqual(["worker-started", "shard-sync", "worker-stopped"]);
    expect(store.snapshot().every((l) => l.leaseOwner === undefined)).toBe(true);
  });

  test("on-error exit: the worker stops gracefully, releases its leases and done rejects with ProcessorFailedError", async () => {
    const { deps, kinesis, store, clock } = fakes();
    kinesis.createStream("s1", 2);
    const shards = await kinesis.listShards("s1");
    kinesis.putRecord("s1", "k", "boom", shards[0]!.hashKeyRange.startingHashKey);
    const w = createWorker(
      {
        ...base,
        initialPosition: "TRIM_HORIZON",
        onError: "exit",
        processor: {
          async processRecords() {
            throw new Error("cannot handle this");
          },
        },
      },
      deps,
    );
    const events: KclEvent[] = [];
    w.events.onAny((e) => events.push(e));
    await w.start();
    let settled: unknown;
    w.done.catch((e) => {
      settled = e;
    });
    for (let i = 0; i < 50 && settled === undefined; i++) await clock.advance(100);
    await flushAsync();
    expect(settled).toBeInstanceOf(ProcessorFailedError);
    expect(events.find((e) => e.type === "processor-error")).toMatchObject({ action: "exit" });
    expect(events.find((e) => e.type === "worker-stopping")).toMatchObject({
      reason: expect.stringContaining("ProcessorFailedError"),
    });
    expect(events.at(-1)).toMatchObject({ type: "worker-stopped", clean: false });
    expect(store.snapshot().every((l) => l.leaseOwner === undefined)).toBe(true);
  });

  test("stop() is bounded by shutdownTimeoutMs: a hung shutdownRequested cannot keep the leases", async () => {
    const { deps, kinesis, store, clock } = fakes();
    kinesis.createStream("s1", 2);
    let held: { checkpoint(): Promise<void> } | undefined;
    const w = createWorker(
      {
        ...base,
        shutdownTimeoutMs: 1000,
        processor: {
          async processRecords() {},
          shutdownRequested({ checkpointer }) {
            held = checkpointer;
            return new Promise(() => {});
          },
        },
      },
      deps,
    );
    await w.start();
    await clock.advance(500);
    expect(store.snapshot().every((l) => l.leaseOwner === "w1")).toBe(true);
    let result: unknown;
    const stopping = w.stop().then((r) => {
      result = r;
    });
    await clock.advance(900);
    expect(result).toBeUndefined();
    await clock.advance(200);
    await stopping;
    expect(result).toEqual({ clean: false });
    expect(store.snapshot().every((l) => l.leaseOwner === undefined)).toBe(true);
    // The abandoned processor can no longer checkpoint: its lease is gone.
    await expect(held!.checkpoint()).rejects.toThrow(/no longer holds the lease/);
  });
});
