// The latency bench's push server (bench/harness/push-fan-out.ts) is a faithful SubscribeToShard for
// kcl-ts's real fan-out adapter: the AWS SDK over HTTP/2 decodes its events, records arrive in shard
// order with data, keys and arrival times intact, from the requested position, and new puts are pushed.
import { expect, test } from "bun:test";
import { createKinesisClient } from "../../src/aws/clients.ts";
import { createKinesisHttp2Client } from "../../src/aws/http2-client.ts";
import { createAwsFanOut } from "../../src/kinesis/aws-fan-out.ts";
import type { ShardEvent } from "../../src/kinesis/fan-out-port.ts";
import { startPushFanOut } from "../../bench/harness/push-fan-out.ts";
import { createStream, putRecords, uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";

const aws = awsForSuite();

test("records put before and after subscribing arrive through the SDK, in order, from the position", async () => {
  const stream = uniqueName("push");
  await createStream(aws.kinesis, stream, 1);
  const push = await startPushFanOut({ kinesis: aws.kinesis, stream });
  const common = { region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" }, env: {} };
  const admin = createKinesisClient({ ...common, kinesisEndpoint: aws.kinesisEndpoint });
  const http2 = createKinesisHttp2Client({ ...common, subscribeEndpoint: push.endpoint });
  const fanOut = createAwsFanOut(admin.client, http2.client, admin.target);
  const stop = new AbortController();
  try {
    await putRecords(aws.kinesis, stream, [
      { partitionKey: "a", data: "r0" },
      { partitionKey: "b", data: "r1" },
    ]);
    const sub = await fanOut.subscribe(
      "arn:bench:consumer/x",
      "shardId-000000000000",
      { type: "TRIM_HORIZON" },
      stop.signal,
    );
    const got: string[] = [];
    const events: ShardEvent[] = [];
    const until = async (n: number) => {
      while (got.length < n) {
        const e = (await sub.next())!;
        events.push(e);
        got.push(...e.records.map((r) => new TextDecoder().decode(r.data)));
      }
    };
    await until(2);
    await putRecords(aws.kinesis, stream, [{ partitionKey: "c", data: "r2" }]);
    await until(3);
    expect(got).toEqual(["r0", "r1", "r2"]);
    const records = events.flatMap((e) => e.records);
    expect(records.map((r) => r.partitionKey)).toEqual(["a", "b", "c"]);
    expect(records.every((r) => r.approximateArrivalTimestamp.getTime() > 0)).toBe(true);
    expect(events.at(-1)!.continuationSequenceNumber).toBe(records.at(-1)!.sequenceNumber);
    expect(push.pushedAt.has(records[2]!.sequenceNumber)).toBe(true);
    sub.close();

    // From a position: AFTER the first record's sequence number gives the second one first.
    const again = await fanOut.subscribe(
      "arn:bench:consumer/x",
      "shardId-000000000000",
      { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: records[0]!.sequenceNumber },
      stop.signal,
    );
    let first: ShardEvent | undefined;
    do first = await again.next();
    while (first && first.records.length === 0);
    expect(first!.records.map((r) => r.partitionKey)).toEqual(["b", "c"]);
    again.close();
  } finally {
    stop.abort();
    admin.client.destroy();
    http2.client.destroy();
    await push.stop();
  }
}, 60_000);
