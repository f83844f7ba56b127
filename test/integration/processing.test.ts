// Processing guarantees on kinesalite + dynalite with real SDK clients (workers in this process):
// retry never skips, skip says what it skipped, injected throttling and expired iterators lose nothing,
// and a sub-sequence checkpoint inside a KPL aggregate resumes at the next sub-record after a restart.
import { describe, expect, test } from "bun:test";
import { ExpiredIteratorException, ProvisionedThroughputExceededException } from "@aws-sdk/client-kinesis";
import { createKinesisClient } from "../../src/aws/clients.ts";
import type { WorkerOptions } from "../../src/coordinator/types.ts";
import { createWorker } from "../../src/coordinator/worker.ts";
import type { KclEvent } from "../../src/core/events.ts";
import { createAwsKinesis } from "../../src/kinesis/aws-kinesis.ts";
import type { RecordProcessor } from "../../src/plugin.ts";
import {
  createStream,
  listShards,
  putRecords,
  scanTable,
  TEST_CREDENTIALS,
  uniqueName,
  waitFor,
} from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { getRecordsClientFor, interceptCalls } from "../support/lease-table-client.ts";
import { aggregate } from "../kinesis/support/kpl-aggregate.ts";
import { deliveriesFile, FAST, leaseRows, readDeliveries, startWorker } from "./support.ts";

const aws = awsForSuite();

const WAIT = 30_000;
const decoder = new TextDecoder();

function options(
  app: string,
  stream: string,
  processor: WorkerOptions["processor"],
  extra: Partial<WorkerOptions> = {},
): WorkerOptions {
  return {
    app,
    stream,
    region: aws.region,
    kinesisEndpoint: aws.kinesisEndpoint,
    dynamodbEndpoint: aws.dynamodbEndpoint,
    credentials: TEST_CREDENTIALS,
    ...FAST,
    ...extra,
    processor,
  };
}

function recording(onBatch?: (data: string[]) => void) {
  const delivered: string[] = [];
  const processor: RecordProcessor = {
    async processRecords({ records }) {
      const data = records.map((r) => decoder.decode(r.data));
      onBatch?.(data);
      delivered.push(...data);
    },
  };
  return { delivered, processor };
}

async function oneShardStream(records: string[]) {
  const stream = uniqueName("proc");
  await createStream(aws.kinesis, stream, 1);
  await putRecords(
    aws.kinesis,
    stream,
    records.map((d) => ({ partitionKey: "pk", data: d })),
  );
  return stream;
}

describe("failure policy (--on-error)", () => {
  test("retry: the failing batch is delivered again after backoff; nothing is skipped", async () => {
    const records = Array.from({ length: 30 }, (_, i) => `r${i}`);
    const stream = await oneShardStream(records);
    let failures = 0;
    const { delivered, processor } = recording((data) => {
      if (data.includes("r0") && failures < 2) {
        failures++;
        throw new Error(`refusing r0 (${failures})`);
      }
    });
    const worker = createWorker(options(uniqueName("retry"), stream, processor));
    const events: KclEvent[] = [];
    worker.events.onAny((e) => events.push(e));
    await worker.start();
    await waitFor("all delivered", () => delivered.length >= 30, WAIT);
    await worker.stop();
    expect(delivered).toEqual(records);
    const errors = events.filter((e) => e.type === "processor-error");
    expect(errors.map((e) => [e.action, e.attempt, e.records])).toEqual([
      ["retry", 1, 30],
      ["retry", 2, 30],
    ]);
    // 1 s doubling, equal jitter: [500, 1000] then [1000, 2000] ms.
    expect(errors[0]!.retryInMs).toBeGreaterThanOrEqual(500);
    expect(errors[1]!.retryInMs).toBeGreaterThanOrEqual(1000);
    const processed = events.findLast((e) => e.type === "records-processed" && e.count > 0);
    expect(processed).toMatchObject({ count: 30, lastSequenceNumber: expect.any(String) });
  }, 30_000);

  test("skip: processing moves on and an event names what was skipped", async () => {
    const stream = await oneShardStream(["a0", "a1", "a2"]);
    const { delivered, processor } = recording((data) => {
      if (data.includes("a1")) throw new Error("poison a1");
    });
    const worker = createWorker(options(uniqueName("skip"), stream, processor, { onError: "skip" }));
    const events: KclEvent[] = [];
    worker.events.onAny((e) => events.push(e));
    await worker.start();
    await waitFor("skip event", () => events.some((e) => e.type === "processor-error"), WAIT);
    await putRecords(aws.kinesis, stream, [{ partitionKey: "pk", data: "b0" }]);
    await waitFor("the next record", () => delivered.includes("b0"), WAIT);
    await worker.stop();
    const skip = events.find((e) => e.type === "processor-error")!;
    const shard = (await listShards(aws.kinesis, stream))[0]!;
    expect(skip).toMatchObject({
      action: "skip",
      shardId: shard.ShardId,
      records: 3,
      firstSequenceNumber: expect.stringMatching(/^\d+$/),
      lastSequenceNumber: expect.stringMatching(/^\d+$/),
      error: "processRecords: Error: poison a1",
    });
    expect(delivered).toEqual(["b0"]);
  }, 30_000);
});

/** Faults injected above the clients' retries, so the engine sees every one of them. */
function faultyKinesis(every: { throttle: number; expire: number }) {
  const { client, target } = createKinesisClient({
    region: aws.region,
    kinesisEndpoint: aws.kinesisEndpoint,
    credentials: TEST_CREDENTIALS,
    env: {},
  });
  let calls = 0;
  const injected = { throttled: 0, expired: 0 };
  const getRecords = interceptCalls(getRecordsClientFor(aws.kinesisEndpoint), (command, next) => {
    if (command.operation === "GetRecords") {
      calls++;
      if (calls % every.throttle === 0) {
        injected.throttled++;
        throw new ProvisionedThroughputExceededException({ message: "injected", $metadata: {} });
      }
      if (calls % every.expire === 0) {
        injected.expired++;
        throw new ExpiredIteratorException({ message: "injected", $metadata: {} });
      }
    }
    return next();
  });
  const kinesis = createAwsKinesis(client, target, { getRecordsClient: getRecords });
  return {
    kinesis,
    injected,
    close: () => {
      getRecords.destroy();
      client.destroy();
    },
  };
}

describe("--on-error exit in a worker process", () => {
  test("the process stops gracefully with exit code 5 and releases its leases", async () => {
    const stream = await oneShardStream(["x0", "x1", "x2"]);
    const app = uniqueName("exit-app");
    const out = deliveriesFile();
    const proc = startWorker({
      aws,
      name: "X",
      app,
      stream,
      out,
      options: { onError: "exit" },
      behaviour: { failOn: "x1" },
    });
    const { code } = await proc.exited;
    expect(code).toBe(5);
    expect(proc.stderr()).toContain("ProcessorFailedError");
    expect(proc.lines.some((l) => l.includes('"action":"exit"'))).toBe(true);
    expect(readDeliveries(out)).toEqual([]);
    expect((await leaseRows(aws, app)).map((r) => r.leaseOwner)).toEqual([undefined]);
  }, 30_000);
});

describe("injected Kinesis faults", () => {
  test("throttling and expired iterators: nothing lost, order kept, backoff observed", async () => {
    const stream = uniqueName("faults");
    await createStream(aws.kinesis, stream, 2);
    const put = Array.from({ length: 200 }, (_, i) => ({
      partitionKey: `k${i % 5}`,
      data: `k${i % 5}:${Math.floor(i / 5)}`,
    }));
    await putRecords(aws.kinesis, stream, put.slice(0, 100));
    const faults = faultyKinesis({ throttle: 3, expire: 4 });
    const { delivered, processor } = recording();
    const worker = createWorker(options(uniqueName("faults"), stream, processor, { maxRecords: 7 }), {
      kinesis: faults.kinesis,
    });
    const events: KclEvent[] = [];
    worker.events.onAny((e) => events.push(e));
    await worker.start();
    await waitFor("first half", () => new Set(delivered).size >= 100, WAIT);
    await putRecords(aws.kinesis, stream, put.slice(100));
    await waitFor("all delivered", () => new Set(delivered).size >= 200, WAIT);
    await worker.stop();
    faults.close();
    expect(faults.injected.throttled).toBeGreaterThan(3);
    expect(faults.injected.expired).toBeGreaterThan(3);
    const throttled = events.filter((e) => e.type === "throttled");
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((e) => e.retryInMs >= 0)).toBe(true);
    expect(events.some((e) => e.type === "iterator-expired")).toBe(true);
    // Per key, in order, no gaps (a record repeated after an expired iterator would show up as a duplicate).
    const next = new Map<string, number>();
    for (const d of delivered) {
      const [key, n] = d.split(":") as [string, string];
      expect(Number(n)).toBe(next.get(key) ?? 0);
      next.set(key, Number(n) + 1);
    }
    expect(delivered).toHaveLength(200);
  }, 60_000);
});

describe("KPL aggregates", () => {
  test("a checkpoint at a sub-record resumes at the next sub-record after a restart", async () => {
    const stream = uniqueName("kpl");
    await createStream(aws.kinesis, stream, 1);
    const encoder = new TextEncoder();
    const agg = (prefix: string) =>
      aggregate(
        Array.from({ length: 5 }, (_, i) => ({
          partitionKey: `${prefix}-key`,
          data: encoder.encode(`${prefix}${i}`),
        })),
      );
    await putRecords(aws.kinesis, stream, [agg("a"), agg("b")]);
    const app = uniqueName("kpl-app");

    const firstRun: string[] = [];
    const first = createWorker(
      options(
        app,
        stream,
        {
          async processRecords({ records, checkpointer }) {
            for (const r of records) {
              firstRun.push(`${decoder.decode(r.data)}@${r.subSequenceNumber}`);
              if (decoder.decode(r.data) === "a2") await checkpointer.checkpoint(r);
            }
          },
        },
        { checkpoint: "manual" },
      ),
    );
    await first.start();
    await waitFor("first run saw both aggregates", () => firstRun.length >= 10, WAIT);
    await first.stop();
    expect(firstRun.slice(0, 5)).toEqual(["a0@0", "a1@1", "a2@2", "a3@3", "a4@4"]);
    const row = (await scanTable(aws.dynamodb, app))[0]!;
    expect(row.checkpointSubSequenceNumber?.N).toBe("2");

    const secondRun: string[] = [];
    const second = createWorker(
      options(app, stream, {
        async processRecords({ records }) {
          for (const r of records) secondRun.push(`${decoder.decode(r.data)}@${r.subSequenceNumber}`);
        },
      }),
    );
    await second.start();
    await waitFor("second run caught up", () => secondRun.length >= 7, WAIT);
    await second.stop();
    expect(secondRun).toEqual(["a3@3", "a4@4", "b0@0", "b1@1", "b2@2", "b3@3", "b4@4"]);
  }, 30_000);
});
