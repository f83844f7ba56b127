// The lease table's own client (src/aws/dynamodb-http) for tests: built against an endpoint, and with
// a hook to watch or fail its calls (what the SDK's middleware stack gave tests before).
import { createLeaseTableClient, type LeaseTableClient } from "../../src/aws/lease-table-client.ts";
import type { DynamoCommand } from "../../src/aws/dynamodb-http/commands.ts";

export const TEST_LEASE_TABLE_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export function leaseTableClientFor(
  endpoint: string,
  options: { maxAttempts?: number; region?: string } = {},
) {
  return createLeaseTableClient({
    region: options.region ?? "us-east-1",
    credentials: TEST_LEASE_TABLE_CREDENTIALS,
    dynamodbEndpoint: endpoint,
    env: {},
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
}

type Send = LeaseTableClient["send"];

/**
 * Routes every call of `client` through `around`, which may record it, fail it, or pass it on with
 * `next()`. Returns the client.
 */
export function interceptCalls(
  client: LeaseTableClient,
  around: (command: DynamoCommand<object, object>, next: () => Promise<unknown>) => Promise<unknown>,
): LeaseTableClient {
  const send = client.send.bind(client) as Send;
  client.send = ((command: DynamoCommand<object, object>, options?: Parameters<Send>[1]) =>
    around(command, () => send(command, options))) as Send;
  return client;
}
