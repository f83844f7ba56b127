// Lease table lifecycle: create if missing (hash key leaseKey, on-demand), tolerate a concurrent
// creator, wait until ACTIVE. Never deletes a table.
import type { DynamoDbHttpClient } from "../aws/dynamodb-http/client.ts";
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
} from "../aws/dynamodb-http/commands.ts";
import type { Clock } from "../core/clock.ts";
import { DependencyError } from "../core/errors.ts";
import { type DynamoCallContext, mapDynamoError, missingTable } from "./dynamodb-errors.ts";

export interface TableDeps {
  client: DynamoDbHttpClient;
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

/** `ownerIndex`: a new table is created with the KCL 3.x owner GSI already in it (assigner mode). */
export async function ensureTable(d: TableDeps, ownerIndex?: string): Promise<void> {
  let status = await describeTable(d);
  if (status === undefined) {
    try {
      await d.client.send(
        new CreateTableCommand({
          TableName: d.ctx("CreateTable").table,
          KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }],
          AttributeDefinitions: [
            { AttributeName: "leaseKey", AttributeType: "S" },
            ...(ownerIndex ? [{ AttributeName: "leaseOwner", AttributeType: "S" as const }] : []),
          ],
          BillingMode: "PAY_PER_REQUEST",
          ...(ownerIndex ? { GlobalSecondaryIndexes: [ownerIndexDefinition(ownerIndex)] } : {}),
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

/**
 * The KCL 3.x owner index (HASH leaseOwner, RANGE leaseKey, KEYS_ONLY), added with UpdateTable as 3.x
 * does (a provisioned table's capacity is copied to it), then waited for until ACTIVE. An existing index
 * (3.x created it, or another kcl-ts worker won the race) is used as it is.
 */
export async function ensureOwnerIndex(d: TableDeps, indexName: string): Promise<void> {
  await ensureTable(d, indexName);
  const ctx = d.ctx("UpdateTable");
  let status = await indexStatus(d, indexName);
  if (status === undefined) {
    const table = await d.client
      .send(new DescribeTableCommand({ TableName: ctx.table }))
      .catch((e) => Promise.reject(mapDynamoError(e, d.ctx("DescribeTable"))));
    const provisioned =
      table.Table?.BillingModeSummary?.BillingMode === "PROVISIONED" ||
      (table.Table?.BillingModeSummary === undefined &&
        (table.Table?.ProvisionedThroughput?.ReadCapacityUnits ?? 0) > 0);
    const throughput = table.Table?.ProvisionedThroughput;
    const create = (capacity: { ReadCapacityUnits: number; WriteCapacityUnits: number } | undefined) =>
      d.client.send(
        new UpdateTableCommand({
          TableName: ctx.table,
          AttributeDefinitions: [
            { AttributeName: "leaseOwner", AttributeType: "S" },
            { AttributeName: "leaseKey", AttributeType: "S" },
          ],
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                ...ownerIndexDefinition(indexName),
                ...(capacity ? { ProvisionedThroughput: capacity } : {}),
              },
            },
          ],
        }),
      );
    try {
      try {
        await create(
          provisioned && throughput
            ? {
                ReadCapacityUnits: throughput.ReadCapacityUnits ?? 1,
                WriteCapacityUnits: throughput.WriteCapacityUnits ?? 1,
              }
            : undefined,
        );
      } catch (e) {
        // dynalite predates on-demand indexes: it insists on a capacity that DynamoDB would reject for
        // an on-demand table. Only that exact complaint is answered with a nominal one.
        if (provisioned || !/provisionedThroughput.*must not be null/i.test(String((e as Error).message)))
          throw e;
        await create({ ReadCapacityUnits: 1, WriteCapacityUnits: 1 });
      }
    } catch (e) {
      // Another worker is adding it (or the table is busy with it): wait for it like for our own.
      const name = (e as { name?: string }).name;
      if (name !== "ResourceInUseException" && name !== "LimitExceededException")
        throw mapDynamoError(e, ctx);
    }
    status = "CREATING";
  }
  const deadline = d.clock.monotonic() + d.activeTimeoutMs;
  for (let wait = 100; status !== "ACTIVE"; wait = Math.min(wait * 2, 5000)) {
    if (d.clock.monotonic() > deadline) {
      throw new DependencyError(
        `owner index ${indexName} of lease table ${ctx.table} is still ${status ?? "missing"} after ${d.activeTimeoutMs} ms`,
        "unreachable",
        { table: ctx.table, operation: "DescribeTable" },
      );
    }
    await d.clock.sleep(wait);
    status = (await indexStatus(d, indexName)) ?? "CREATING";
  }
}

function ownerIndexDefinition(indexName: string) {
  return {
    IndexName: indexName,
    KeySchema: [
      { AttributeName: "leaseOwner", KeyType: "HASH" as const },
      { AttributeName: "leaseKey", KeyType: "RANGE" as const },
    ],
    Projection: { ProjectionType: "KEYS_ONLY" as const },
  };
}

/** The index's status, or undefined when the table has no such index. */
async function indexStatus(d: TableDeps, indexName: string): Promise<string | undefined> {
  try {
    const out = await d.client.send(new DescribeTableCommand({ TableName: d.ctx("DescribeTable").table }));
    const index = out.Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === indexName);
    return index ? (index.IndexStatus ?? "ACTIVE") : undefined;
  } catch (e) {
    throw mapDynamoError(e, d.ctx("DescribeTable"));
  }
}
