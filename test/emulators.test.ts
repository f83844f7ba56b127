// Real SDK calls round-trip against the in-process emulators (the harness every suite builds on).
import { describe, expect, test } from "bun:test";
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-kinesis";
import {
  createStream,
  createTable,
  listShards,
  mergeShards,
  putRecords,
  scanTable,
  splitShard,
  uniqueName,
} from "./support/aws.ts";
import { awsForSuite } from "./support/aws-for-suite.ts";

const aws = awsForSuite();

describe("kinesalite", () => {
  test("create a stream, put records, read them back in order", async () => {
    const stream = uniqueName("rt");
    await createStream(aws.kinesis, stream, 1);
    const put = await putRecords(
      aws.kinesis,
      stream,
      Array.from({ length: 20 }, (_, i) => ({ partitionKey: `k${i}`, data: `r${i}` })),
    );
    const [shard] = await listShards(aws.kinesis, stream);
    const it = await aws.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: shard!.ShardId!,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const got = await aws.kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
    const decoder = new TextDecoder();
    expect(got.Records!.map((r) => decoder.decode(r.Data))).toEqual(put.map((_, i) => `r${i}`));
    expect(got.Records!.map((r) => r.SequenceNumber)).toEqual(put.map((p) => p.sequenceNumber));
  });

  test("split then merge change the shard list", async () => {
    const stream = uniqueName("reshard");
    await createStream(aws.kinesis, stream, 2);
    const afterSplit = await splitShard(aws.kinesis, stream, "shardId-000000000000");
    expect(afterSplit.length).toBe(4);
    const open = afterSplit
      .filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber)
      .map((s) => s.ShardId!);
    expect(open.length).toBe(3);
    const afterMerge = await mergeShards(aws.kinesis, stream, "shardId-000000000002", "shardId-000000000003");
    const merged = afterMerge.find((s) => s.AdjacentParentShardId);
    expect(merged?.ParentShardId).toBe("shardId-000000000002");
    expect(merged?.AdjacentParentShardId).toBe("shardId-000000000003");
  });
});

describe("dynalite", () => {
  test("conditional writes: create-if-absent and ConditionalCheckFailedException on conflict", async () => {
    const table = uniqueName("tbl");
    await createTable(aws.dynamodb, table);
    const put = (counter: number) =>
      aws.dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: { leaseKey: { S: "shardId-0" }, leaseCounter: { N: String(counter) } },
          ConditionExpression: "attribute_not_exists(leaseKey)",
        }),
      );
    await put(0);
    await expect(put(1)).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const item = await aws.dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { leaseKey: { S: "shardId-0" } } }),
    );
    expect(item.Item?.leaseCounter?.N).toBe("0");
    expect((await scanTable(aws.dynamodb, table)).length).toBe(1);
  });
});
