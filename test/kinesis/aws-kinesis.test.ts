// The AWS adapter against kinesalite: pagination and the mapping of every failure class to a typed error.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer } from "node:net";
import { createKinesisClient } from "../../src/aws/clients.ts";
import {
  DependencyError,
  ExpiredIteratorError,
  InvalidCheckpointError,
  ThrottledError,
} from "../../src/core/errors.ts";
import { createAwsKinesis } from "../../src/kinesis/aws-kinesis.ts";
import { createStream, splitShard, TEST_CREDENTIALS, uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { createFaultClient, type FaultClient } from "./support/fault-client.ts";

const aws = awsForSuite();
let faulty: FaultClient;
let stream: string;

beforeAll(async () => {
  faulty = createFaultClient(aws.kinesisEndpoint);
  stream = uniqueName("adapter");
  await createStream(aws.kinesis, stream, 3);
});
afterAll(async () => {
  faulty.client.destroy();
  faulty.getRecords.destroy();
});

function port() {
  return createAwsKinesis(faulty.client, faulty.target, {
    listShardsPageSize: 2,
    getRecordsClient: faulty.getRecords,
  });
}

/** A loopback port with nothing listening (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("createAwsKinesis", () => {
  test("describeStream reports status, open shard count, retention, ARN and creation time", async () => {
    const summary = await port().describeStream(stream);
    expect(summary).toMatchObject({ status: "ACTIVE", shardCount: 3, retentionHours: 24 });
    // Multi-stream lease keys take the account from the ARN and the creation time in epoch seconds.
    expect(summary.arn).toMatch(new RegExp(`^arn:aws:kinesis:[a-z0-9-]+:[0-9]{12}:stream/${stream}$`));
    expect(summary.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - summary.createdAt!.getTime())).toBeLessThan(24 * 3600_000);
  });

  test("listShards follows NextToken pages and never sends StreamName with a token", async () => {
    const s = uniqueName("paged");
    await createStream(aws.kinesis, s, 3);
    await splitShard(aws.kinesis, s, "shardId-000000000001");
    faulty.pageListShards(2);
    const before = faulty.calls.length;
    try {
      const shards = await port().listShards(s);
      expect(shards.map((x) => x.shardId)).toEqual([0, 1, 2, 3, 4].map((i) => `shardId-00000000000${i}`));
      const parent = shards[1]!;
      expect(parent.endingSequenceNumber).toBeDefined();
      expect(shards[3]!.parentShardId).toBe(parent.shardId);
      expect(shards[3]!.hashKeyRange.startingHashKey).toBe(parent.hashKeyRange.startingHashKey);
      const listCalls = faulty.calls.slice(before).filter((c) => c.operation === "ListShards");
      expect(listCalls.length).toBe(3);
      expect(listCalls[0]!.body.StreamName).toBe(s);
      for (const c of listCalls.slice(1)) {
        expect(c.body.NextToken).toBeDefined();
        expect(c.body.StreamName).toBeUndefined();
      }
    } finally {
      faulty.pageListShards(0);
    }
  });

  test("a missing stream is DependencyError(missing) naming stream, region and endpoint", async () => {
    const err = await port()
      .describeStream("no-such-stream")
      .catch((e) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect(err.code).toBe("KCL_DEPENDENCY_MISSING");
    expect(err.retriable).toBe(false);
    expect(err.message).toContain("no-such-stream");
    expect(err.message).toContain("us-east-1");
    expect(err.message).toContain(aws.kinesisEndpoint);
    expect(err.context).toMatchObject({
      stream: "no-such-stream",
      region: "us-east-1",
      endpoint: aws.kinesisEndpoint,
    });
    const shardErr = await port()
      .getShardIterator(stream, "shardId-000000000099", { type: "TRIM_HORIZON" })
      .catch((e) => e);
    expect(shardErr).toBeInstanceOf(DependencyError);
    expect(shardErr.context.shardId).toBe("shardId-000000000099");
  });

  test.each([
    ["ProvisionedThroughputExceededException", ThrottledError],
    ["LimitExceededException", ThrottledError],
    ["KMSThrottlingException", ThrottledError],
    ["ExpiredIteratorException", ExpiredIteratorError],
  ] as const)("GetRecords %s maps to %p", async (errorType, cls) => {
    const p = port();
    const it = await p.getShardIterator(stream, "shardId-000000000000", { type: "TRIM_HORIZON" });
    faulty.failNext("GetRecords", errorType);
    const err = await p.getRecords(it, 10, { stream, shardId: "shardId-000000000000" }).catch((e) => e);
    expect(err).toBeInstanceOf(cls);
    expect(err.retriable).toBe(true);
    expect(err.context).toMatchObject({ stream, shardId: "shardId-000000000000", operation: "GetRecords" });
    // The iterator is still good after the injected failure.
    expect((await p.getRecords(it, 10)).nextShardIterator).toBeDefined();
  });

  test("ListShards LimitExceeded is ThrottledError; a 5xx is DependencyError(unreachable)", async () => {
    faulty.failNext("ListShards", "LimitExceededException");
    expect(
      await port()
        .listShards(stream)
        .catch((e) => e),
    ).toBeInstanceOf(ThrottledError);
    faulty.failNext("ListShards", "InternalFailureException", { status: 500 });
    const err = await port()
      .listShards(stream)
      .catch((e) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect(err.code).toBe("KCL_DEPENDENCY_UNREACHABLE");
  });

  test("a starting sequence number from another shard is InvalidCheckpointError", async () => {
    const p = port();
    const shards = await p.listShards(stream);
    const err = await p
      .getShardIterator(stream, "shardId-000000000000", {
        type: "AT_SEQUENCE_NUMBER",
        sequenceNumber: shards[1]!.startingSequenceNumber,
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(InvalidCheckpointError);
  });

  test("an invalid iterator is treated like an expired one", async () => {
    const err = await port()
      .getRecords("AAAAAAAAAAE=", 10)
      .catch((e) => e);
    expect(err).toBeInstanceOf(ExpiredIteratorError);
  });

  test("nothing listening at the endpoint is DependencyError(unreachable) naming the endpoint", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const { client, target } = createKinesisClient({
      region: "us-east-1",
      kinesisEndpoint: endpoint,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      env: {},
    });
    try {
      const err = await createAwsKinesis(client, target)
        .describeStream(stream)
        .catch((e) => e);
      expect(err).toBeInstanceOf(DependencyError);
      expect(err.code).toBe("KCL_DEPENDENCY_UNREACHABLE");
      expect(err.retriable).toBe(true);
      expect(err.message).toContain(endpoint);
      expect(err.context.endpoint).toBe(endpoint);
    } finally {
      client.destroy();
    }
  });
});
