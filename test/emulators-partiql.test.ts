// BatchExecuteStatement (the PartiQL UPDATE subset of batched lease renewals) through the real SDK
// against the embedded dynalite: per-statement results with UpdateItem semantics, other operations untouched.
import { describe, expect, test } from "bun:test";
import {
  type AttributeValue,
  BatchExecuteStatementCommand,
  type BatchStatementRequest,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { createTable, scanTable, uniqueName } from "./support/aws.ts";
import { awsForSuite } from "./support/aws-for-suite.ts";

const aws = awsForSuite();

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

async function leaseTable(items: Record<string, AttributeValue>[]): Promise<string> {
  const table = uniqueName("partiql");
  await createTable(aws.dynamodb, table);
  for (const Item of items) await aws.dynamodb.send(new PutItemCommand({ TableName: table, Item }));
  return table;
}
const get = async (table: string, key: string) =>
  (
    await aws.dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { leaseKey: S(key) }, ConsistentRead: true }),
    )
  ).Item;
const batch = (Statements: BatchStatementRequest[]) =>
  aws.dynamodb.send(new BatchExecuteStatementCommand({ Statements }));
/** The statement kcl-ts sends to renew a lease: bump the counter if we still hold it. */
const renew = (table: string, key: string, owner: string, counter: number): BatchStatementRequest => ({
  Statement: `UPDATE "${table}" SET "leaseCounter"=? WHERE "leaseKey"=? AND "leaseOwner"=? AND "leaseCounter"=?`,
  Parameters: [N(counter + 1), S(key), S(owner), N(counter)],
  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
});
const lease = (key: string, owner: string, counter: number) => ({
  leaseKey: S(key),
  leaseOwner: S(owner),
  leaseCounter: N(counter),
});

describe("BatchExecuteStatement on the embedded dynalite", () => {
  test("every statement succeeds: the items change exactly as the equivalent UpdateItem changes them", async () => {
    const table = await leaseTable([lease("a", "w1", 1), lease("b", "w1", 5), lease("twin", "w1", 5)]);
    const res = await batch([
      renew(table, "a", "w1", 1),
      {
        Statement: `update "${table}" set "leaseCounter" = ? SET "checkpoint"=? where "leaseKey" = ? and "leaseOwner"=?`,
        Parameters: [N(6), S("SHARD_END"), S("b"), S("w1")],
      },
    ]);
    expect(res.Responses).toEqual([{ TableName: table }, { TableName: table }]);
    await aws.dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { leaseKey: S("twin") },
        UpdateExpression: "SET leaseCounter = :c, #cp = :cp",
        ExpressionAttributeNames: { "#cp": "checkpoint" },
        ExpressionAttributeValues: { ":c": N(6), ":cp": S("SHARD_END") },
      }),
    );
    expect(await get(table, "a")).toEqual(lease("a", "w1", 2));
    expect(await get(table, "b")).toEqual({ ...(await get(table, "twin")), leaseKey: S("b") });
  });

  test("a failed condition fails only its statement, with ConditionalCheckFailed and the old item", async () => {
    const table = await leaseTable([lease("a", "w1", 1), lease("b", "w2", 7), lease("c", "w1", 3)]);
    const res = await batch([
      renew(table, "a", "w1", 1),
      renew(table, "b", "w1", 7),
      renew(table, "c", "w1", 3),
    ]);
    expect(res.Responses![0]).toEqual({ TableName: table });
    expect(res.Responses![1]!.Error?.Code).toBe("ConditionalCheckFailed");
    expect(res.Responses![1]!.Error?.Item).toEqual(lease("b", "w2", 7));
    expect(res.Responses![2]).toEqual({ TableName: table });
    expect(await get(table, "a")).toEqual(lease("a", "w1", 2));
    expect(await get(table, "b")).toEqual(lease("b", "w2", 7));
    expect(await get(table, "c")).toEqual(lease("c", "w1", 4));
  });

  test("without ALL_OLD a failed condition returns no item", async () => {
    const table = await leaseTable([lease("a", "w2", 1)]);
    const { ReturnValuesOnConditionCheckFailure: _, ...plain } = renew(table, "a", "w1", 1);
    const res = await batch([plain]);
    expect(res.Responses![0]!.Error?.Code).toBe("ConditionalCheckFailed");
    expect(res.Responses![0]!.Error?.Item).toBeUndefined();
  });

  test("IS MISSING holds when the attribute is absent and fails when it is present", async () => {
    const table = await leaseTable([
      lease("free", "w1", 1),
      { ...lease("pending", "w1", 1), pendingCheckpoint: S("9") },
    ]);
    const claim = (key: string): BatchStatementRequest => ({
      Statement: `UPDATE "${table}" SET "leaseOwner"=? WHERE "leaseKey"=? AND "pendingCheckpoint" IS MISSING`,
      Parameters: [S("w2"), S(key)],
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    });
    const res = await batch([claim("free"), claim("pending")]);
    expect(res.Responses![0]).toEqual({ TableName: table });
    expect(res.Responses![1]!.Error).toMatchObject({
      Code: "ConditionalCheckFailed",
      Item: { pendingCheckpoint: S("9") },
    });
    expect((await get(table, "free"))?.leaseOwner).toEqual(S("w2"));
    expect((await get(table, "pending"))?.leaseOwner).toEqual(S("w1"));
  });

  test("an UPDATE of an item that does not exist fails its condition and creates nothing", async () => {
    const table = await leaseTable([lease("a", "w1", 1)]);
    const res = await batch([
      {
        Statement: `UPDATE "${table}" SET "leaseCounter"=? WHERE "leaseKey"=?`,
        Parameters: [N(1), S("ghost")],
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      },
    ]);
    expect(res.Responses![0]!.Error?.Code).toBe("ConditionalCheckFailed");
    expect(res.Responses![0]!.Error?.Item).toBeUndefined();
    expect(await get(table, "ghost")).toBeUndefined();
    expect((await scanTable(aws.dynamodb, table)).length).toBe(1);
  });

  test("REMOVE drops the attribute; SET and REMOVE combine in one statement", async () => {
    const table = await leaseTable([{ ...lease("a", "w1", 1), pendingCheckpoint: S("9"), note: S("x") }]);
    const res = await batch([
      {
        Statement: `UPDATE "${table}" SET "leaseCounter"=? REMOVE "pendingCheckpoint" REMOVE "note" WHERE "leaseKey"=?`,
        Parameters: [N(2), S("a")],
      },
    ]);
    expect(res.Responses).toEqual([{ TableName: table }]);
    expect(await get(table, "a")).toEqual(lease("a", "w1", 2));
  });

  test("a statement outside the subset is a ValidationError for that statement; the others apply", async () => {
    const table = await leaseTable([lease("a", "w1", 1), lease("b", "w1", 1)]);
    const res = await batch([
      renew(table, "a", "w1", 1),
      { Statement: `SELECT * FROM "${table}" WHERE "leaseKey"=?`, Parameters: [S("a")] },
      { Statement: `UPDATE "${table}" SET "leaseCounter"=5 WHERE "leaseKey"=?`, Parameters: [S("b")] },
      { Statement: `UPDATE "${table}" SET "leaseCounter"=? WHERE "leaseKey"=?`, Parameters: [N(9)] },
      {
        Statement: `UPDATE "${table}" SET "leaseCounter"=? WHERE "leaseOwner"=?`,
        Parameters: [N(9), S("w1")],
      },
      renew(table, "b", "w1", 1),
    ]);
    expect(res.Responses!.map((r) => r.Error?.Code)).toEqual([
      undefined,
      "ValidationError",
      "ValidationError",
      "ValidationError",
      "ValidationError",
      undefined,
    ]);
    expect(await get(table, "a")).toEqual(lease("a", "w1", 2));
    expect(await get(table, "b")).toEqual(lease("b", "w1", 2));
  });

  test("26 statements fail the whole call with ValidationException; none applies", async () => {
    const table = await leaseTable([lease("a", "w1", 0)]);
    const statements = Array.from({ length: 26 }, () => renew(table, "a", "w1", 0));
    const error = await batch(statements).catch((e: Error) => e);
    expect((error as Error).name).toBe("ValidationException");
    expect(await get(table, "a")).toEqual(lease("a", "w1", 0));
    expect(((await batch([]).catch((e: Error) => e)) as Error).name).toBe("ValidationException");
  });

  test("ReturnConsumedCapacity TOTAL counts one write unit per successful statement", async () => {
    const table = await leaseTable([lease("a", "w1", 1), lease("b", "w2", 1)]);
    const res = await aws.dynamodb.send(
      new BatchExecuteStatementCommand({
        Statements: [renew(table, "a", "w1", 1), renew(table, "b", "w1", 1)],
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    expect(res.ConsumedCapacity).toEqual([{ TableName: table, CapacityUnits: 1 }]);
  });

  test("a missing table is ResourceNotFound for its statement", async () => {
    const table = await leaseTable([lease("a", "w1", 1)]);
    const res = await batch([renew("no-such-table", "a", "w1", 1), renew(table, "a", "w1", 1)]);
    expect(res.Responses![0]!.Error?.Code).toBe("ResourceNotFound");
    expect(res.Responses![1]).toEqual({ TableName: table });
  });

  test("other operations still reach dynalite unchanged through the same server", async () => {
    const table = await leaseTable([lease("a", "w1", 1)]);
    await batch([renew(table, "a", "w1", 1)]);
    await aws.dynamodb.send(new PutItemCommand({ TableName: table, Item: lease("b", "w3", 0) }));
    expect(await get(table, "b")).toEqual(lease("b", "w3", 0));
    await aws.dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { leaseKey: S("a") } }));
    expect(await scanTable(aws.dynamodb, table)).toEqual([lease("b", "w3", 0)]);
    const conditional = aws.dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: lease("b", "w4", 0),
        ConditionExpression: "attribute_not_exists(leaseKey)",
      }),
    );
    expect(((await conditional.catch((e: Error) => e)) as Error).name).toBe(
      "ConditionalCheckFailedException",
    );
  });
});
