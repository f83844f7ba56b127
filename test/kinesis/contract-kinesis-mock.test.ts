// The KinesisPort contract against kinesis-mock through the AWS adapter (real SDK client over HTTP):
// the run where shard-end ChildShards and millisBehindLatest arrive as on real Kinesis, so the
// adapter's mapping of both is tested (kinesalite sends neither). It is also the emulator the
// fan-out tests use: polling on it behaves as on kinesalite.
import { afterAll, beforeAll, setDefaultTimeout } from "bun:test";
import { DependencyError } from "../../src/core/errors.ts";
import { createAwsKinesis } from "../../src/kinesis/aws-kinesis.ts";
import type { KinesisPort } from "../../src/kinesis/port.ts";
import { createStream, mergeShards, putRecords, splitShard, uniqueName } from "../support/aws.ts";
import { type KinesisMock, startKinesisMock } from "../support/kinesis-mock.ts";
import { kinesisContract } from "./contract.ts";

// kinesis-mock is several times slower than kinesalite (a split takes seconds under load).
setDefaultTimeout(30_000);
let mock: KinesisMock;
let kinesis: KinesisPort;
beforeAll(async () => {
  mock = await startKinesisMock();
  kinesis = createAwsKinesis(mock.kinesis, { region: "us-east-1", endpoint: mock.endpoint });
}, 90_000);
afterAll(async () => {
  await mock?.stop();
});

kinesisContract("kinesis-mock via createAwsKinesis", () => ({
  get kinesis() {
    return kinesis;
  },
  sendsChildShards: true,
  reportsLag: true,
  // Its one known deviation from Kinesis that the contract sees (Kinesis: InvalidArgumentException).
  foreignSequenceError: DependencyError,
  uniqueName,
  now: () => Date.now(),
  pass: (ms) => new Promise((r) => setTimeout(r, ms)),
  createStream: (stream, shards) => createStream(mock.kinesis, stream, shards),
  put: (stream, records) => putRecords(mock.kinesis, stream, records),
  async split(stream, shardId) {
    await splitShard(mock.kinesis, stream, shardId);
  },
  async merge(stream, a, b) {
    await mergeShards(mock.kinesis, stream, a, b);
  },
}));
