// Test harness: in-process emulators plus helpers for streams, records, resharding and tables.
// Suites get theirs with awsForSuite() (aws-for-suite.ts), which also stops them; a script that calls
// startTestAws() itself must call stop().
import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordsCommand,
  type Shard,
  SplitShardCommand,
} from "@aws-sdk/client-kinesis";
import { startEmulators } from "../../cli/local/emulators.ts";
import { createDynamoDbClient, createKinesisClient } from "../../src/aws/clients.ts";
import { createLeaseTableClient, type LeaseTableClient } from "../../src/aws/lease-table-client.ts";

export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export interface TestAws {
  kinesisEndpoint: string;
  dynamodbEndpoint: string;
  region: string;
  kinesis: KinesisClient;
  /** The SDK's client: for tests that set the table up or read it as another tool would. */
  dynamodb: DynamoDBClient;
  /** The lease table's own client (src/aws/dynamodb-http), as the stores use it in production. */
  leaseTable: LeaseTableClient;
  /** Env for child processes so the CLI finds the emulators. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startTestAws(options: { shardLimit?: number } = {}): Promise<TestAws> {
  const emulators = await startEmulators({ shardLimit: options.shardLimit ?? 1000 });
  const region = "us-east-1";
  const common = { region, credentials: TEST_CREDENTIALS, env: {} };
  const kinesis = createKinesisClient({ ...common, kinesisEndpoint: emulators.kinesisEndpoint }).client;
  const dynamodb = createDynamoDbClient({ ...common, dynamodbEndpoint: emulators.dynamodbEndpoint }).client;
  const leaseTable = createLeaseTableClient({
    ...common,
    dynamodbEndpoint: emulators.dynamodbEndpoint,
  }).client;
  return {
    kinesisEndpoint: emulators.kinesisEndpoint,
    dynamodbEndpoint: emulators.dynamodbEndpoint,
    region,
    kinesis,
    dynamodb,
    leaseTable,
    env: {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL_KINESIS: emulators.kinesisEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint,
    },
    async stop() {
      kinesis.destroy();
      dynamodb.destroy();
      leaseTable.destroy();
      await emulators.stop();
    },
  };
}

let nameCounter = 0;
/** A name unique within this test process. */
export function uniqueName(prefix: string): string {
  nameCounter += 1;
  return `${prefix}-${process.pid}-${nameCounter}`;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function createStream(kinesis: KinesisClient, stream: string, shards: number): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
  await waitFor(`stream ${stream} ACTIVE`, async () => {
    const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    return s.StreamDescriptionSummary?.StreamStatus === "ACTIVE";
  });
}

export async function listShards(kinesis: KinesisClient, stream: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await kinesis.send(
      new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }),
    );
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards;
}

/** Puts records in batches of 500; returns their partition keys and sequence numbers in put order. */
export async function putRecords(
  kinesis: KinesisClient,
  stream: string,
  records: { partitionKey: string; data: string | Uint8Array; explicitHashKey?: string }[],
): Promise<{ partitionKey: string; sequenceNumber: string; shardId: string }[]> {
  const out: { partitionKey: string; sequenceNumber: string; shardId: string }[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < records.length; i += 500) {
    const batch = records.slice(i, i + 500);
    const res = await kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: batch.map((r) => ({
          PartitionKey: r.partitionKey,
          Data: typeof r.data === "string" ? encoder.encode(r.data) : r.data,
          ExplicitHashKey: r.explicitHashKey,
        })),
      }),
    );
    if (res.FailedRecordCount) throw new Error(`PutRecords failed for ${res.FailedRecordCount} records`);
    res.Records?.forEach((r, j) => {
      out.push({
        partitionKey: batch[j]!.partitionKey,
        sequenceNumber: r.SequenceNumber!,
        shardId: r.ShardId!,
      });
    });
  }
  return out;
}

async function waitActive(kinesis: KinesisClient, stream: string): Promise<void> {
  await waitFor(`stream ${stream} ACTIVE`, async () => {
    const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    return s.StreamDescriptionSummary?.StreamStatus === "ACTIVE";
  });
}

/** Splits a shard at the midpoint of its hash range; returns the shard list afterwards. */
export async function splitShard(kinesis: KinesisClient, stream: string, shardId: string): Promise<Shard[]> {
  const shard = (await listShards(kinesis, stream)).find((s) => s.ShardId === shardId);
  if (!shard?.HashKeyRange) throw new Error(`no shard ${shardId}`);
  const start = BigInt(shard.HashKeyRange.StartingHashKey!);
  const end = BigInt(shard.HashKeyRange.EndingHashKey!);
  const mid = (start + end) / 2n;
  await kinesis.send(
    new SplitShardCommand({ StreamName: stream, ShardToSplit: shardId, NewStartingHashKey: mid.toString() }),
  );
  await waitActive(kinesis, stream);
  return listShards(kinesis, stream);
}

/** Merges two adjacent shards; returns the shard list afterwards. */
export async function mergeShards(
  kinesis: KinesisClient,
  stream: string,
  a: string,
  b: string,
): Promise<Shard[]> {
  await kinesis.send(
    new MergeShardsCommand({ StreamName: stream, ShardToMerge: a, AdjacentShardToMerge: b }),
  );
  await waitActive(kinesis, stream);
  return listShards(kinesis, stream);
}

export async function createTable(dynamodb: DynamoDBClient, table: string): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "leaseKey", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await waitFor(`table ${table} ACTIVE`, async () => {
    const t = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
    return t.Table?.TableStatus === "ACTIVE";
  });
}

/** Every item of a table, raw (AttributeValue maps). */
export async function scanTable(dynamodb: DynamoDBClient, table: string) {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
