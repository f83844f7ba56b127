// Start-up through a flaky AWS (issue 14): the first calls of DescribeStreamSummary, DescribeTable,
// ListShards and Scan answer with throttling, 5xx or too late — sent by a proxy in front of the
// emulators and parsed by the real AWS SDK. The worker retries, starts and consumes every record;
// a missing stream still fails at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createWorker } from "../../src/coordinator/worker.ts";
import { DependencyError } from "../../src/core/errors.ts";
import { type FaultProxy, startFaultProxy } from "../support/fault-proxy.ts";
import { createStream, putRecords, TEST_CREDENTIALS, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";

const aws = awsForSuite();
let kinesisProxy: FaultProxy;
let dynamoProxy: FaultProxy;

beforeAll(async () => {
  kinesisProxy = await startFaultProxy(aws.kinesisEndpoint, "kinesis");
  dynamoProxy = await startFaultProxy(aws.dynamodbEndpoint, "dynamodb");
});
afterAll(async () => {
  await kinesisProxy.stop();
  await dynamoProxy.stop();
});

function workerOn(stream: string, app: string, delivered: string[]) {
  return createWorker({
    app,
    stream,
    region: aws.region,
    credentials: TEST_CREDENTIALS,
    kinesisEndpoint: kinesisProxy.endpoint,
    dynamodbEndpoint: dynamoProxy.endpoint,
    initialPosition: "TRIM_HORIZON",
    failoverMs: 3000,
    idleTimeMs: 100,
    processor: {
      async processRecords({ records }) {
        for (const r of records) delivered.push(new TextDecoder().decode(r.data));
      },
    },
  });
}

describe("start-up survives a flaky AWS", () => {
  test("throttling, 5xx and a timeout on the first calls: retried, then every record consumed", async () => {
    const stream = uniqueName("flaky");
    await createStream(aws.kinesis, stream, 2);
    const ids = Array.from({ length: 40 }, (_, i) => `r${i}`);
    await putRecords(
      aws.kinesis,
      stream,
      ids.map((id) => ({ partitionKey: id, data: id })),
    );
    // More faults than the SDK's own 3 attempts absorb, so the engine's start-up retry must act.
    kinesisProxy.failNext("DescribeStreamSummary", "server-error", 4);
    kinesisProxy.failNext("DescribeStreamSummary", "slow", 1, 6000); // past the 5 s start-up check deadline
    dynamoProxy.failNext("DescribeTable", "throttle", 4);
    kinesisProxy.failNext("ListShards", "throttle", 4);
    dynamoProxy.failNext("Scan", "server-error", 4);

    const delivered: string[] = [];
    const worker = workerOn(stream, uniqueName("flaky-app"), delivered);
    const warnings: string[] = [];
    worker.events.on("warning", (e) => warnings.push(e.message));
    try {
      await worker.start();
      await waitFor("every record delivered", () => ids.every((id) => delivered.includes(id)), 30_000);
    } finally {
      await worker.stop();
    }
    expect(kinesisProxy.injected()).toMatchObject({ DescribeStreamSummary: 5, ListShards: 4 });
    expect(dynamoProxy.injected()).toMatchObject({ DescribeTable: 4, Scan: 4 });
    for (const step of ["stream check", "lease table check", "initial shard sync"]) {
      expect(warnings.some((w) => w.startsWith(`start-up: ${step} failed`))).toBe(true);
    }
  }, 90_000);

  test("a missing stream is not retried: start() fails at once naming it", async () => {
    const stream = uniqueName("missing");
    const worker = workerOn(stream, uniqueName("missing-app"), []);
    const warnings: string[] = [];
    worker.events.on("warning", (e) => warnings.push(e.message));
    const error = await worker.start().catch((e) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toContain(stream);
    expect(warnings.filter((w) => w.startsWith("start-up:"))).toEqual([]);
  }, 30_000);
});
