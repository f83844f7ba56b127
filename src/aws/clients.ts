// The one place that builds AWS SDK v3 clients (configuration in client-config.ts): Kinesis here,
// DynamoDB in dynamodb-client.ts, both re-exported for the rest of the engine.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { type AwsClientOptions, type ClientTarget, clientConfig, leanClient } from "./client-config.ts";

export {
  type AwsClientOptions,
  type ClientTarget,
  resolveEndpoint,
  resolveRegion,
} from "./client-config.ts";
export { createDynamoDbClient } from "./dynamodb-client.ts";

export function createKinesisClient(options: AwsClientOptions = {}): {
  client: KinesisClient;
  target: ClientTarget;
} {
  const { target, config } = clientConfig("kinesis", options);
  return { client: leanClient(new KinesisClient(config)), target };
}

/** The region a client will actually use (the SDK may have found it in a profile). */
export async function effectiveRegion(client: KinesisClient | DynamoDBClient): Promise<string | undefined> {
  try {
    return await client.config.region();
  } catch {
    return undefined;
  }
}
