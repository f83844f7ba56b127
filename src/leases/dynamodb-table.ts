// Lease table lifecycle: create if missing (hash key leaseKey, on-demand), tolerate a concurrent
// creator, wait until ACTIVE. Never deletes a table.
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Clock } from "../core/clock.ts";
import { DependencyError } from "../core/errors.ts";
import { type DynamoCallContext, mapDynamoError, missingTable } from "./dynamodb-errors.ts";

export interface TableDeps {
  client: DynamoDBClient;
  clock: Clock;
  ctx: (operation: string) => DynamoCallContext;
  /** Give up waiting for ACTIVE after this long. */
  activeTimeoutMs: number;
}

/** The table's status, or undefined when it does not exist. */
export async function describeTable(d: TableDeps): Promise<string | undefined> {
  try {
    const out = await d.client.send(new DescribeTableCommand({ TableName: d.ctx("DescribeTable").table }));
    return out.Table?.TableStatus ?? "ACTIVE";
  } catch (e) {
    if ((e as { name?: string }).name === "ResourceNotFoundException") return undefined;
    throw mapDynamoError(e, d.ctx("DescribeTable"));
  }
}

export async function assertTable(d: TableDeps): Promise<void> {
  if ((await describeTable(d)) === undefined) throw missingTable(d.ctx("DescribeTable"));
}

export async function ensureTable(d: TableDeps): Promise<void> {
  let status = await describeTable(d);
  if (status === undefined) {
    try {
      await d.client.send(
        new CreateTableCommand({
          TableName: d.ctx("CreateTable").table,
          KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "leaseKey", AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
    } catch (e) {
      // Another worker won the race to create it: fine, wait for it like for our own.
      if ((e as { name?: string }).name !== "ResourceInUseException")
        throw mapDynamoError(e, d.ctx("CreateTable"));
    }
    status = "CREATING";
  }
  const deadline = d.clock.monotonic() + d.activeTimeoutMs;
  for (let wait = 100; status !== "ACTIVE" && status !== "UPDATING"; wait = Math.min(wait * 2, 5000)) {
    if (d.clock.monotonic() > deadline) {
      const ctx = d.ctx("DescribeTable");
      throw new DependencyError(
        `DynamoDB lease table ${ctx.table} is still ${status ?? "missing"} after ${d.activeTimeoutMs} ms ` +
          `(region ${ctx.region ?? "(unresolved)"}, endpoint ${ctx.endpoint ?? "default"}). Check it in the console.`,
        "unreachable",
        { table: ctx.table, operation: "DescribeTable" },
      );
    }
    await d.clock.sleep(wait);
    status = await describeTable(d);
  }
}
