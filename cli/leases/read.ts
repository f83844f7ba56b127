// Reads a lease table for `leases list`: a consistent Scan of raw items, filtered with the Java
// KCL's rule (a row is a lease iff entityType is absent or LEASE), converted to plain JSON values.
import {
  type AttributeValue,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { Buffer } from "node:buffer";
import type { ClientTarget } from "../../src/aws/clients.ts";
import { DependencyError } from "../../src/core/errors.ts";
import { isLeaseItem } from "../../src/leases/dynamodb-codec.ts";

/** A lease row keyed by the Java attribute names, every attribute kept (also ones kcl-ts does not know). */
export type LeaseItem = Record<string, unknown> & { leaseKey: string };

/** DynamoDB AttributeValue → JSON: N → number (string if beyond 2^53), SS/NS → arrays, B → base64. */
export function attributeToJson(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return numberValue(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.SS !== undefined) return [...value.SS].sort();
  if (value.NS !== undefined) return value.NS.map(numberValue);
  if (value.B !== undefined) return Buffer.from(value.B).toString("base64");
  if (value.BS !== undefined) return value.BS.map((b) => Buffer.from(b).toString("base64"));
  if (value.L !== undefined) return value.L.map(attributeToJson);
  if (value.M !== undefined) return itemToJson(value.M);
  return null;
}

function numberValue(n: string): number | string {
  const value = Number(n);
  return Number.isSafeInteger(value) || (!Number.isInteger(value) && Number.isFinite(value)) ? value : n;
}

export function itemToJson(item: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(item).sort()) out[key] = attributeToJson(item[key] as AttributeValue);
  return out;
}

/** The engine's rule (the Java KCL's: entityType absent or LEASE), and a string leaseKey to show. */
export function isListedLease(item: Record<string, AttributeValue>): boolean {
  return item.leaseKey?.S !== undefined && isLeaseItem(item);
}

const NETWORK = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|socket|timed? ?out|connect/i;

function where(target: ClientTarget): string {
  return `region ${target.region ?? "(none)"}, endpoint ${target.endpoint ?? "AWS default"}`;
}

/** Every lease row of `table`, sorted by leaseKey. Throws DependencyError naming table, region and endpoint. */
export async function readLeaseTable(
  client: DynamoDBClient,
  table: string,
  target: ClientTarget,
): Promise<LeaseItem[]> {
  const leases: LeaseItem[] = [];
  let start: Record<string, AttributeValue> | undefined;
  const context = { table, region: target.region, endpoint: target.endpoint, operation: "Scan" };
  try {
    do {
      const page = await client.send(
        new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      for (const item of page.Items ?? [])
        if (isListedLease(item)) leases.push(itemToJson(item) as LeaseItem);
      start = page.LastEvaluatedKey;
    } while (start);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new DependencyError(
        `lease table "${table}" does not exist (${where(target)}). Check --app/--table and --region; \`kcl-ts consume\` creates the table on its first start.`,
        "missing",
        context,
        { cause: error },
      );
    }
    const e = error as { name?: string; message?: string; code?: string };
    if (e.name === "CredentialsProviderError" || e.name === "UnrecognizedClientException") {
      throw new DependencyError(
        `no usable AWS credentials to read lease table "${table}" (${where(target)}): ${e.message}. Configure a profile, environment variables or a role.`,
        "credentials",
        context,
        { cause: error },
      );
    }
    if (NETWORK.test(`${e.code ?? ""} ${e.name ?? ""} ${e.message ?? ""}`)) {
      throw new DependencyError(
        `cannot reach DynamoDB to read lease table "${table}" (${where(target)}): ${e.message}. Check --dynamodb-endpoint / AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL and the network.`,
        "unreachable",
        context,
        { cause: error },
      );
    }
    throw error;
  }
  return leases.sort((a, b) => a.leaseKey.localeCompare(b.leaseKey));
}
