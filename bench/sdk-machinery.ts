#!/usr/bin/env bun
// Micro-benchmark without a network: CPU per SDK call of the client's own machinery (middleware,
// serde, SigV4 signing) for an empty GetRecords and a renewal-shaped UpdateItem, with a request
// handler that answers at once with a canned body (measurement only: no test uses it). The part of a
// call's CPU that is not HTTP (bench/sdk-calls.ts measures whole calls), and what removing middleware
// would save: bun bench/sdk-machinery.ts [--calls 20000] [--rounds 5] [--strip name,...]
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { GetRecordsCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { HttpResponse } from "@smithy/core/transport";
import { clientConfig, leanClient } from "../src/aws/sdk-config.ts";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "20000" },
    rounds: { type: "string", default: "5" },
    strip: { type: "string" },
  },
});
const canned = (body: string) => ({
  handle: async () => ({
    response: new HttpResponse({
      statusCode: 200,
      headers: { "content-type": "application/x-amz-json-1.0" },
      body: Readable.from([Buffer.from(body)]),
    }),
  }),
  updateHttpClientConfig() {},
  httpHandlerConfigs: () => ({}),
  destroy() {},
});
const options = {
  region: "us-east-1",
  credentials: { accessKeyId: "a", secretAccessKey: "b" },
  dynamodbEndpoint: "http://127.0.0.1:1",
  kinesisEndpoint: "http://127.0.0.1:1",
  env: {},
};
const item =
  '{"Attributes":{"leaseKey":{"S":"shardId-000000000001"},"leaseOwner":{"S":"w1"},"leaseCounter":{"N":"42"},"checkpoint":{"S":"TRIM_HORIZON"},"checkpointSubSequenceNumber":{"N":"0"},"ownerSwitchesSinceCheckpoint":{"N":"0"}}}';
const dynamo = leanClient(
  new DynamoDBClient({ ...clientConfig("dynamodb", options).config, requestHandler: canned(item) as never }),
);
const kinesis = leanClient(
  new KinesisClient({
    ...clientConfig("kinesis", options).config,
    requestHandler: canned('{"Records":[],"NextShardIterator":"AAAA","MillisBehindLatest":0}') as never,
  }),
);
for (const name of (values.strip ?? "").split(",").filter(Boolean)) {
  dynamo.middlewareStack.remove(name);
  kinesis.middlewareStack.remove(name);
}
const calls: Record<string, () => Promise<unknown>> = {
  GetRecords: () => kinesis.send(new GetRecordsCommand({ ShardIterator: "AAAA", Limit: 10_000 })),
  UpdateItem: () =>
    dynamo.send(
      new UpdateItemCommand({
        TableName: "t",
        Key: { leaseKey: { S: "shardId-000000000001" } },
        ConditionExpression: "#o = :o AND #c = :c",
        UpdateExpression: "SET #c = :n",
        ExpressionAttributeNames: { "#o": "leaseOwner", "#c": "leaseCounter" },
        ExpressionAttributeValues: { ":o": { S: "w1" }, ":c": { N: "41" }, ":n": { N: "42" } },
        ReturnValues: "ALL_NEW",
      }),
    ),
};
const n = Number(values.calls);
const out: Record<string, number[]> = {};
for (let r = 0; r < Number(values.rounds); r++) {
  for (const [kind, call] of Object.entries(calls)) {
    for (let i = 0; i < 200; i++) await call();
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) await call();
    const used = process.cpuUsage(start);
    out[kind] = [...(out[kind] ?? []), Math.round(((used.user + used.system) / n) * 10) / 10];
  }
}
for (const [kind, xs] of Object.entries(out)) {
  const sorted = [...xs].sort((a, b) => a - b);
  console.log(`${kind}: median ${sorted[sorted.length >> 1]} µs CPU per call (rounds ${xs.join(", ")})`);
}
