// The KinesisPort contract against kinesalite through the AWS adapter (real SDK client over HTTP).
import { beforeAll } from "bun:test";
import { createAwsKinesis } from "../../src/kinesis/aws-kinesis.ts";
import type { KinesisPort } from "../../src/kinesis/port.ts";
import { createStream, mergeShards, putRecords, splitShard, uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { kinesisContract } from "./contract.ts";

const aws = awsForSuite();
let kinesis: KinesisPort;
beforeAll(async () => {
  kinesis = createAwsKinesis(aws.kinesis, { region: aws.region, endpoint: aws.kinesisEndpoint });
});

kinesisContract("kinesalite via createAwsKinesis", () => ({
  get kinesis() {
    return kinesis;
  },
  sendsChildShards: false,
  reportsLag: false,
  uniqueName,
  now: () => Date.now(),
  pass: (ms) => new Promise((r) => setTimeout(r, ms)),
  createStream: (stream, shards) => createStream(aws.kinesis, stream, shards),
  put: (stream, records) => putRecords(aws.kinesis, stream, records),
  async split(stream, shardId) {
    await splitShard(aws.kinesis, stream, shardId);
  },
  async merge(stream, a, b) {
    await mergeShards(aws.kinesis, stream, a, b);
  },
}));
