// SDK clients of the harness itself (stream creation, pre-loading, the live producer), built with
// the project's own client settings and pointed at the emulator server.
import { type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { createDynamoDbClient, createKinesisClient } from "../../src/aws/clients.ts";
import type { EmulatorServer } from "./emulator.ts";
import { waitUntil } from "./time.ts";

const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };

export function kinesisClient(emu: EmulatorServer): KinesisClient {
  return createKinesisClient({
    region: "us-east-1",
    credentials: CREDENTIALS,
    kinesisEndpoint: emu.kinesisEndpoint,
    env: {},
  }).client;
}

export function dynamoDbClient(emu: EmulatorServer): DynamoDBClient {
  return createDynamoDbClient({
    region: "us-east-1",
    credentials: CREDENTIALS,
    dynamodbEndpoint: emu.dynamodbEndpoint,
    env: {},
  }).client;
}

export async function createStream(kinesis: KinesisClient, stream: string, shards: number): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
  await waitUntil(`stream ${stream} ACTIVE`, 60_000, async () => {
    const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    return s.StreamDescriptionSummary?.StreamStatus === "ACTIVE";
  });
}

export async function shardIds(kinesis: KinesisClient, stream: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await kinesis.send(
      new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }),
    );
    for (const s of page.Shards ?? []) ids.push(s.ShardId!);
    token = page.NextToken;
  } while (token);
  return ids;
}

/** What one full eventually consistent Scan of a table costs (the Java KCL 2.x taker's read). */
export async function fullScanCost(dynamodb: DynamoDBClient, table: string) {
  let units = 0;
  let requests = 0;
  let items = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ReturnConsumedCapacity: "TOTAL" }),
    );
    requests += 1;
    items += page.Count ?? 0;
    units += page.ConsumedCapacity?.CapacityUnits ?? 0;
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return { units, requests, items };
}
