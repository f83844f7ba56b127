// /metrics, /healthz and /readyz of a running worker on kinesalite + dynalite (real SDK clients, faults
// injected below the SDK), scraped over HTTP and parsed strictly: every §10 metric with its type, and
// values that move as records flow, leases move, calls are throttled and the processor fails.
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createElement } from "react";
import { Details } from "../../cli/dashboard/details.tsx";
import { type RunningMetrics, startMetrics } from "../../cli/metrics/index.ts";
import { type Output, startStreamOutput } from "../../cli/output/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { Worker, WorkerOptions } from "../../src/coordinator/types.ts";
import { createWorker } from "../../src/coordinator/worker.ts";
import type { RecordProcessor } from "../../src/plugin.ts";
import { createStream, putRecords, TEST_CREDENTIALS, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { formatBytes } from "../../src/status/index.ts";
import { renderAt } from "../dashboard/render.ts";
import { FAST } from "../integration/support.ts";
import { faultyPorts, probe, SPEC_METRICS, scrape } from "./support.ts";

const WAIT = 30_000;
const decoder = new TextDecoder();

let ports: ReturnType<typeof faultyPorts>;
let worker: Worker;
let metrics: RunningMetrics;
/** `--output json` of the same worker: its records summaries must agree with /metrics. */
let json: Output;
const jsonLines: string[] = [];
const others: { worker: Worker; metrics: RunningMetrics }[] = [];
const app = uniqueName("metrics-app");
const stream = uniqueName("metrics");
/** The processor fails once on this record (then succeeds on the retry). */
let failuresLeft = 1;

const processor: RecordProcessor = {
  async processRecords({ records }) {
    if (records.some((r) => decoder.decode(r.data) === "boom") && failuresLeft > 0) {
      failuresLeft -= 1;
      throw new Error("injected processor failure");
    }
  },
};

function options(workerId: string): WorkerOptions {
  return {
    app,
    stream,
    workerId,
    region: aws.region,
    kinesisEndpoint: aws.kinesisEndpoint,
    dynamodbEndpoint: aws.dynamodbEndpoint,
    credentials: TEST_CREDENTIALS,
    ...FAST,
    processor,
  };
}

function metricsFor(w: Worker): Promise<RunningMetrics> {
  return startMetrics({
    port: 0,
    host: "127.0.0.1",
    events: w.events,
    workerId: w.workerId,
    app: w.config.app,
    stream: w.config.stream,
    table: w.config.table,
    failoverMs: w.config.failoverMs,
    now: () => systemClock.now(),
  });
}

// The workers release their leases through dynalite when stopped: stopped before it goes.
const aws = awsForSuite({
  beforeStop: async () => {
    for (const o of others) {
      await o.worker.stop("test end");
      await o.metrics.close();
    }
    await worker?.stop("test end");
    await metrics?.close();
    ports?.close();
  },
});

beforeAll(async () => {
  await createStream(aws.kinesis, stream, 2);
  ports = faultyPorts(aws, app);
  worker = createWorker(options("A"), ports.deps);
  metrics = await metricsFor(worker);
  json = startStreamOutput("json", {
    events: worker.events,
    config: worker.config,
    stdout: { write: (chunk: string) => jsonLines.push(chunk) },
    requestStop: () => {},
    summaryIntervalMs: 600_000, // one summary, printed when stopped below
  });
});

// A failed test must not leave its fault switched on for the next one.
afterEach(() => {
  ports.faults.throttleGetRecords = false;
  ports.faults.throttleLeaseWrites = false;
});

describe("a worker's metrics endpoint", () => {
  test("/readyz and /healthz: 503 before start, 200 after the first shard sync and lease round", async () => {
    expect(await probe(metrics.url, "/readyz")).toEqual({ status: 503, body: "worker is starting\n" });
    expect((await probe(metrics.url, "/healthz")).status).toBe(503);
    await worker.start();
    await waitFor("ready", async () => (await probe(metrics.url, "/readyz")).status === 200, WAIT);
    expect(await probe(metrics.url, "/healthz")).toEqual({ status: 200, body: "ok\n" });
    expect((await fetch(`${metrics.url}/nope`)).status).toBe(404);
  }, 40_000);

  test("every §10 metric is exposed with its Prometheus type", async () => {
    await waitFor(
      "both leases held",
      async () => (await scrape(metrics.url)).value("kcl_leases_held") === 2,
      WAIT,
    );
    const s = await scrape(metrics.url);
    for (const [name, type] of Object.entries(SPEC_METRICS)) {
      expect({ name, type: s.families.get(name)?.type }).toEqual({ name, type });
    }
    expect(s.value("kcl_workers")).toBe(1);
    expect(s.value("kcl_lease_takes_total", { reason: "unowned" })).toBe(2);
    expect(s.value("kcl_worker_info", { worker: "A", app, stream, table: app })).toBe(1);
    // Counters with a label show every label value from the start (no absent series to alert on).
    expect(s.labels("kcl_lease_renewals_total", "result")).toEqual([
      "failed",
      "lost",
      "success",
      "throttled",
    ]);
    expect(s.labels("kcl_throttles_total", "service")).toEqual(["dynamodb", "kinesis"]);
    expect(s.labels("kcl_checkpoints_total", "result")).toEqual(["failed", "success"]);
  }, 40_000);

  test("records, bytes, lag and latencies move as records flow; the dashboard's fold shows the same numbers", async () => {
    ports.faults.lag = 4321;
    const data = Array.from({ length: 40 }, (_, i) => `record-${i}`);
    await putRecords(
      aws.kinesis,
      stream,
      data.map((d, i) => ({ partitionKey: `k${i}`, data: d })),
    );
    const bytes = data.reduce((n, d) => n + d.length, 0);
    const s = await waitFor(
      "40 records processed",
      async () => {
        const s = await scrape(metrics.url);
        return s.sum("kcl_records_processed_total") === 40 ? s : undefined;
      },
      WAIT,
    );
    expect(s.sum("kcl_bytes_processed_total")).toBe(bytes);
    expect(s.labels("kcl_records_processed_total", "shard")).toEqual([
      "shardId-000000000000",
      "shardId-000000000001",
    ]);
    expect(s.value("kcl_process_records_seconds_count")).toBeGreaterThan(0);
    expect(s.value("kcl_get_records_seconds_count")).toBeGreaterThan(0);
    await waitFor(
      "lag 4321 on both shards",
      async () => {
        const s = await scrape(metrics.url);
        return (
          s.labels("kcl_millis_behind_latest", "shard").length === 2 &&
          s.value("kcl_millis_behind_latest", { shard: "shardId-000000000000" }) === 4321 &&
          s.value("kcl_millis_behind_latest", { shard: "shardId-000000000001" }) === 4321
        );
      },
      WAIT,
    );
    // --output json: the summary printed at stop has the same per-shard records and lag.
    await json.stop();
    const summaries = jsonLines.map((l) => JSON.parse(l)).filter((e) => e.type === "records-summary");
    expect(summaries).toHaveLength(1);
    const perShard = Object.entries(
      summaries[0].shards as Record<string, { records: number; millisBehindLatest: number }>,
    );
    const fromJson: unknown[] = perShard.map(([id, x]) => [id, x.records, x.millisBehindLatest]);
    expect(fromJson).toEqual(
      s
        .labels("kcl_records_processed_total", "shard")
        .map((id) => [id, s.value("kcl_records_processed_total", { shard: id }), 4321]),
    );
    const status = metrics.collector.status();
    // The dashboard's lease details render that snapshot: the same records and bytes as the scrape.
    for (const shard of s.labels("kcl_records_processed_total", "shard")) {
      const view = renderAt(createElement(Details, { leaseKey: shard, status }), 120, 60);
      const records = s.value("kcl_records_processed_total", { shard });
      const shardBytes = s.value("kcl_bytes_processed_total", { shard })!;
      expect(view.text()).toContain(
        `records                      ${records} total (${formatBytes(shardBytes)})`,
      );
      view.unmount();
    }
    expect(status.header.recordsTotal).toBe(40);
    expect(status.leases.map((l) => [l.leaseKey, l.recordsTotal, l.lagMs])).toEqual(
      [...(await scrape(metrics.url)).families.get("kcl_records_processed_total")!.samples]
        .sort((a, b) => a.labels.shard!.localeCompare(b.labels.shard!))
        .map((x) => [x.labels.shard, x.value, 4321]),
    );
    ports.faults.lag = 0;
    await waitFor(
      "lag back to 0",
      async () =>
        (await scrape(metrics.url)).value("kcl_millis_behind_latest", { shard: "shardId-000000000000" }) ===
        0,
      WAIT,
    );
    await waitFor(
      "a checkpoint",
      async () =>
        ((await scrape(metrics.url)).value("kcl_checkpoints_total", { result: "success" }) ?? 0) > 0,
      WAIT,
    );
  }, 60_000);

  test("a processor error counts once; the retried batch is then processed", async () => {
    await putRecords(aws.kinesis, stream, [{ partitionKey: "x", data: "boom" }]);
    const s = await waitFor(
      "the retry processed",
      async () => {
        const s = await scrape(metrics.url);
        return s.sum("kcl_records_processed_total") === 41 ? s : undefined;
      },
      WAIT,
    );
    expect(s.value("kcl_processor_errors_total")).toBe(1);
  }, 40_000);

  test("throttled GetRecords count as kinesis throttles", async () => {
    const before = (await scrape(metrics.url)).value("kcl_throttles_total", { service: "kinesis" }) ?? 0;
    ports.faults.throttleGetRecords = true;
    await waitFor(
      "kinesis throttles counted",
      async () =>
        ((await scrape(metrics.url)).value("kcl_throttles_total", { service: "kinesis" }) ?? 0) > before,
      WAIT,
    );
    ports.faults.throttleGetRecords = false;
    expect(ports.faults.injected.getRecords).toBeGreaterThan(0);
  }, 40_000);

  test("failing renewals flip /healthz to 503 with the reason, and back to 200 once they land again", async () => {
    const before = await scrape(metrics.url);
    ports.faults.throttleLeaseWrites = true;
    const down = await waitFor(
      "/healthz 503",
      async () => {
        const p = await probe(metrics.url, "/healthz");
        return p.status === 503 ? p : undefined;
      },
      WAIT,
    );
    expect(down.body).toStartWith("lease renewals failing: none landed for ");
    expect(down.body.trim().split("\n")).toHaveLength(1);
    const during = await scrape(metrics.url);
    expect(during.value("kcl_lease_renewals_total", { result: "throttled" })!).toBeGreaterThan(
      before.value("kcl_lease_renewals_total", { result: "throttled" })!,
    );
    expect(during.value("kcl_throttles_total", { service: "dynamodb" })!).toBeGreaterThan(
      before.value("kcl_throttles_total", { service: "dynamodb" })!,
    );
    // Readiness is about start-up: a worker that was ready stays ready while it is unhealthy.
    expect((await probe(metrics.url, "/readyz")).status).toBe(200);
    ports.faults.throttleLeaseWrites = false;
    await waitFor(
      "/healthz 200 again",
      async () => (await probe(metrics.url, "/healthz")).status === 200,
      WAIT,
    );
    await waitFor(
      "both leases held again",
      async () => (await scrape(metrics.url)).value("kcl_leases_held") === 2,
      WAIT,
    );
  }, 60_000);

  test("a second worker steals a lease: takes, held and workers move; the handed-off shard's series disappear", async () => {
    const s0 = await scrape(metrics.url);
    const lostBefore = s0.value("kcl_leases_lost_total")!;
    const b = createWorker(options("B"), {});
    const bm = await metricsFor(b);
    others.push({ worker: b, metrics: bm });
    await b.start();
    const s = await waitFor(
      "one lease each",
      async () => {
        const s = await scrape(metrics.url);
        return s.value("kcl_leases_held") === 1 &&
          s.labels("kcl_records_processed_total", "shard").length === 1
          ? s
          : undefined;
      },
      WAIT,
    );
    // A balancing steal is a planned handoff (spec §2): the old owner hands the lease over, it does not
    // lose it, so the lease-churn alert on kcl_leases_lost_total stays quiet during a normal rebalance.
    expect(s.value("kcl_leases_lost_total")).toBe(lostBefore);
    const bs = await waitFor(
      "B holds one",
      async () => {
        const bs = await scrape(bm.url);
        return bs.value("kcl_leases_held") === 1 ? bs : undefined;
      },
      WAIT,
    );
    expect(bs.value("kcl_lease_takes_total", { reason: "stolen" })).toBe(1);
    // Per-shard series on A exist only for the shard A still holds.
    const kept = s.labels("kcl_records_processed_total", "shard");
    expect(s.labels("kcl_bytes_processed_total", "shard")).toEqual(kept);
    expect(s.labels("kcl_millis_behind_latest", "shard")).toEqual(kept);
    expect(bs.labels("kcl_records_processed_total", "shard").some((x) => kept.includes(x))).toBe(false);
    await waitFor(
      "two live workers",
      async () => (await scrape(metrics.url)).value("kcl_workers") === 2,
      WAIT,
    );
  }, 60_000);

  test("stopping: /healthz and /readyz say so", async () => {
    await worker.stop("test");
    expect(await probe(metrics.url, "/healthz")).toEqual({ status: 503, body: "worker is stopped\n" });
    expect(await probe(metrics.url, "/readyz")).toEqual({ status: 503, body: "worker is stopped\n" });
    expect((await scrape(metrics.url)).value("kcl_leases_held")).toBe(0);
  }, 40_000);
});
