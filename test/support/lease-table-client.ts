// kcl-ts's own JSON-protocol clients (src/aws/json-protocol) for tests: the lease table's and Kinesis
// GetRecords', built against an endpoint, and a hook to watch or fail their calls (what the SDK's
// middleware stack gave tests before).
import { AwsJsonClient, KINESIS } from "../../src/aws/json-protocol/client.ts";
import type { JsonCommand } from "../../src/aws/json-protocol/command.ts";
import { createLeaseTableClient } from "../../src/aws/lease-table-client.ts";
import { systemClock } from "../../src/core/clock.ts";
import { systemRandom } from "../../src/core/random.ts";

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

/** The client the Kinesis adapter uses for GetRecords, against `endpoint` (pass to createAwsKinesis). */
export function getRecordsClientFor(endpoint: string, options: { maxAttempts?: number } = {}): AwsJsonClient {
  return new AwsJsonClient(
    {
      region: "us-east-1",
      endpoint,
      credentials: TEST_LEASE_TABLE_CREDENTIALS,
      clock: systemClock,
      random: systemRandom,
      ...options,
    },
    KINESIS,
  );
}

type Send = AwsJsonClient["send"];

/**
 * Routes every call of `client` through `around`, which may record it, fail it, or pass it on with
 * `next()`. Returns the client.
 */
export function interceptCalls<C extends AwsJsonClient>(
  client: C,
  around: (command: JsonCommand<object, object>, next: () => Promise<unknown>) => Promise<unknown>,
): C {
  const send = client.send.bind(client) as Send;
  client.send = ((command: JsonCommand<object, object>, options?: Parameters<Send>[1]) =>
    around(command, () => send(command, options))) as Send;
  return client;
}
