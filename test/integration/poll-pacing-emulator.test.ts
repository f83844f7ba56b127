// Polling pacing counted at the emulator: a worker catching up on a backlog (small batches, so it is
// always behind) never sends more than 1000 / pollIntervalMs GetRecords per shard in any second.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createWorker } from "../../src/coordinator/worker.ts";
import { createStream, putRecords, TEST_CREDENTIALS, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { type CountingProxy, startCountingProxy } from "../support/counting-proxy.ts";
import { FAST } from "./support.ts";

const aws = awsForSuite();
let proxy: CountingProxy;
beforeAll(async () => {
  proxy = await startCountingProxy(aws.kinesisEndpoint);
});
afterAll(async () => {
  await proxy.stop();
});

/** The most calls that fall in any window of `windowMs` (sliding, anchored at each call). */
function busiestWindow(at: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0; i < at.length; i++) {
    let n = 0;
    while (i + n < at.length && at[i + n]! - at[i]! < windowMs) n++;
    most = Math.max(most, n);
  }
  return most;
}

test("behind on 2 shards: GetRecords per shard per second stay within 1000 / poll interval", async () => {
  const stream = uniqueName("pace");
  await createStream(aws.kinesis, stream, 2);
  const records = Array.from({ length: 400 }, (_, i) => ({ partitionKey: `k${i}`, data: `r${i}` }));
  await putRecords(aws.kinesis, stream, records);
  let delivered = 0;
  const pollIntervalMs = 250;
  const worker = createWorker({
    app: uniqueName("pace-app"),
    stream,
    region: aws.region,
    kinesisEndpoint: proxy.endpoint,
    dynamodbEndpoint: aws.dynamodbEndpoint,
    credentials: TEST_CREDENTIALS,
    ...FAST,
    idleTimeMs: 0,
    maxRecords: 10, // 200 records per shard = 20 calls, always behind until the end
    pollIntervalMs,
    processor: {
      processRecords: ({ records: batch }) => {
        delivered += batch.length;
      },
    },
  });
  await worker.start();
  await waitFor("every record delivered", () => delivered >= 400, 60_000);
  await worker.stop();
  const calls = proxy.getRecordsAt();
  expect([...calls.keys()].sort()).toEqual(["shardId-000000000000", "shardId-000000000001"]);
  for (const [shard, at] of calls) {
    expect({ shard, enough: at.length >= 20 }).toEqual({ shard, enough: true });
    // The interval runs from the previous answer, so arrivals are apart by at least the interval.
    const sorted = [...at].sort((a, b) => a - b);
    expect({ shard, most: busiestWindow(sorted, 1000) }).toEqual({ shard, most: 1000 / pollIntervalMs });
  }
}, 90_000);
