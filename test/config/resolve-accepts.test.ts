// resolveConfig on valid input: documented defaults, derived intervals, boundaries, and a frozen result.
import { describe, expect, test } from "bun:test";
import { DEFAULTS, type KclOptions } from "../../src/config/options.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import { BASE } from "./rejects.ts";

describe("defaults", () => {
  test("DEFAULTS match the spec §5 option table", () => {
    expect(DEFAULTS).toEqual({
      leaseAssignment: "taker",
      initialPosition: "LATEST",
      maxRecords: 10_000,
      idleTimeMs: 1000,
      pollIntervalMs: 200,
      retrieval: "polling",
      failoverMs: 10_000,
      maxLeasesForWorker: Number.POSITIVE_INFINITY,
      maxLeasesToSteal: 1,
      shardSyncMs: 60_000,
      checkpoint: "auto",
      checkpointIntervalMs: 5000,
      onError: "retry",
      shutdownTimeoutMs: 30_000,
      processorWarnMs: 60_000,
      leaseThread: true,
      renewalBatching: true,
      takerIntervalMaxMs: 2000,
    });
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
  });

  test("app and stream alone resolve to every default; the table is the app name", () => {
    expect({ ...resolveConfig({ ...BASE }) }).toEqual({
      app: "billing",
      stream: "orders",
      streams: ["orders"],
      table: "billing",
      workerId: undefined,
      region: undefined,
      kinesisEndpoint: undefined,
      dynamodbEndpoint: undefined,
      initialPosition: "LATEST",
      timestamp: undefined,
      maxRecords: 10_000,
      idleTimeMs: 1000,
      pollIntervalMs: 200,
      retrieval: "polling",
      consumerName: "billing",
      failoverMs: 10_000,
      renewIntervalMs: 3308,
      takerIntervalMs: 2000,
      leaseAssignment: "taker",
      assignerIntervalMs: 2000,
      assignerScanMs: 40_000,
      ownerQueryMs: 10_000,
      maxLeasesForWorker: Number.POSITIVE_INFINITY,
      maxLeasesToSteal: 1,
      shardSyncMs: 60_000,
      checkpoint: "auto",
      checkpointIntervalMs: 5000,
      onError: "retry",
      shutdownTimeoutMs: 30_000,
      processorWarnMs: 60_000,
      leaseThread: true,
      renewalBatching: true,
    });
  });

  test.each([
    [1000, 308, 200],
    [3000, 975, 600],
    [10_000, 3308, 2000],
    [60_000, 19_975, 2000],
  ])("failover %i ms derives renew %i ms and taker %i ms", (failoverMs, renew, taker) => {
    const c = resolveConfig({ ...BASE, failoverMs });
    expect(c.renewIntervalMs).toBe(renew);
    expect(c.takerIntervalMs).toBe(taker);
  });

  test("the derived renew interval satisfies the 3 × rule for every allowed failover", () => {
    for (let failoverMs = 1000; failoverMs <= 200_000; failoverMs += 997) {
      const c = resolveConfig({ ...BASE, failoverMs });
      expect(3 * c.renewIntervalMs).toBeLessThanOrEqual(c.failoverMs);
    }
  });

  test("empty strings and null mean 'not set' (an empty env var or JSON null must not override a default)", () => {
    const c = resolveConfig({
      ...BASE,
      table: "",
      workerId: "",
      region: "",
      kinesisEndpoint: "",
      dynamodbEndpoint: "",
      timestamp: "",
      maxRecords: null,
      maxLeasesForWorker: null,
      initialPosition: null,
      onError: null,
    } as unknown as KclOptions);
    expect(c.table).toBe("billing");
    expect(c.workerId).toBeUndefined();
    expect(c.region).toBeUndefined();
    expect(c.kinesisEndpoint).toBeUndefined();
    expect(c.timestamp).toBeUndefined();
    expect(c.maxRecords).toBe(10_000);
    expect(c.maxLeasesForWorker).toBe(Number.POSITIVE_INFINITY);
    expect(c.initialPosition).toBe("LATEST");
    expect(c.onError).toBe("retry");
  });
});

describe("explicit values", () => {
  test("every option passes through when valid", () => {
    const options = {
      app: "a",
      stream: "s",
      table: "leases.prod-1",
      workerId: "host-1-42-abc123",
      region: "eu-west-1",
      kinesisEndpoint: "http://127.0.0.1:4567",
      dynamodbEndpoint: "https://dynamodb.eu-west-1.amazonaws.com",
      initialPosition: "TRIM_HORIZON",
      maxRecords: 500,
      idleTimeMs: 0,
      pollIntervalMs: 0,
      retrieval: "efo",
      consumerName: "billing-efo",
      consumerArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/s/consumer/billing-efo:1700000000",
      failoverMs: 30_000,
      renewIntervalMs: 10_000,
      takerIntervalMs: 100,
      leaseAssignment: "assigner",
      assignerIntervalMs: 500,
      assignerScanMs: 40_000,
      ownerQueryMs: 5000,
      maxLeasesForWorker: 1,
      maxLeasesToSteal: 0,
      shardSyncMs: 1000,
      checkpoint: "manual",
      checkpointIntervalMs: 0,
      onError: "exit",
      shutdownTimeoutMs: 0,
      processorWarnMs: 1,
      leaseThread: false,
      renewalBatching: false,
    } satisfies KclOptions;
    expect({ ...resolveConfig(options) }).toEqual({
      ...options,
      streams: [options.stream],
      timestamp: undefined,
    });
  });

  test("boundaries are inclusive: max-records 1 and 10000, failover exactly 3 × renew", () => {
    expect(resolveConfig({ ...BASE, maxRecords: 1 }).maxRecords).toBe(1);
    expect(resolveConfig({ ...BASE, maxRecords: 10_000 }).maxRecords).toBe(10_000);
    const c = resolveConfig({ ...BASE, failoverMs: 3000, renewIntervalMs: 1000 });
    expect([c.failoverMs, c.renewIntervalMs]).toEqual([3000, 1000]);
    expect(resolveConfig({ ...BASE, renewIntervalMs: 50 }).renewIntervalMs).toBe(50);
  });

  test("an explicit table frees the app name from the table-name rule; names at their length limits pass", () => {
    expect(resolveConfig({ app: "my app", stream: "orders", table: "leases" }).table).toBe("leases");
    expect(resolveConfig({ app: "abc", stream: "s".repeat(128) }).stream).toHaveLength(128);
    expect(resolveConfig({ app: "abc", stream: "x", table: "t".repeat(255) }).table).toHaveLength(255);
  });

  test("maxLeasesForWorker: Infinity means unlimited", () => {
    expect(resolveConfig({ ...BASE, maxLeasesForWorker: Number.POSITIVE_INFINITY }).maxLeasesForWorker).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  test.each([
    ["2026-01-31T12:00:00Z", "2026-01-31T12:00:00.000Z"],
    ["2026-01-31T12:00:00.250Z", "2026-01-31T12:00:00.250Z"],
    ["2026-01-31T14:00:00+02:00", "2026-01-31T12:00:00.000Z"],
    ["2026-01-31T07:00-0500", "2026-01-31T12:00:00.000Z"],
    ["2026-01-31", "2026-01-31T00:00:00.000Z"],
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
  ])("AT_TIMESTAMP with %s starts at %s", (timestamp, iso) => {
    const c = resolveConfig({ ...BASE, initialPosition: "AT_TIMESTAMP", timestamp });
    expect(c.initialPosition).toBe("AT_TIMESTAMP");
    expect(c.timestamp?.toISOString()).toBe(iso);
  });

  test("a Date timestamp is copied, so later changes to the caller's Date cannot move the start", () => {
    const start = new Date("2026-01-31T12:00:00Z");
    const c = resolveConfig({ ...BASE, initialPosition: "AT_TIMESTAMP", timestamp: start });
    expect(c.timestamp).not.toBe(start);
    start.setTime(0);
    expect(c.timestamp?.toISOString()).toBe("2026-01-31T12:00:00.000Z");
  });

  test("options other than the config's own (e.g. WorkerOptions extras) are not copied", () => {
    const c = resolveConfig({ ...BASE, processor: { processRecords() {} } } as KclOptions);
    expect("processor" in c).toBe(false);
  });
});

describe("the result", () => {
  test("is frozen: assignments throw (ES modules are strict) and nothing changes", () => {
    const c = resolveConfig({ ...BASE });
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { failoverMs: number }).failoverMs = 1;
    }).toThrow(TypeError);
    expect(() => {
      (c as unknown as Record<string, unknown>).extra = 1;
    }).toThrow(TypeError);
    expect(c.failoverMs).toBe(10_000);
  });

  test("is independent of the input object", () => {
    const options: KclOptions = { ...BASE, maxRecords: 100 };
    const c = resolveConfig(options);
    options.maxRecords = 5;
    options.app = "other";
    expect(c.maxRecords).toBe(100);
    expect(c.app).toBe("billing");
  });

  test("resolving twice gives equal configs", () => {
    const options: KclOptions = { ...BASE, failoverMs: 20_000, onError: "skip" };
    expect(resolveConfig(options)).toEqual(resolveConfig(options));
  });
});
