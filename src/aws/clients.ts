// The AWS SDK v3 client builders in one import for the CLI and tools (configuration in
// client-config.ts; Kinesis in kinesis-client.ts, DynamoDB in dynamodb-client.ts). The worker imports
// them one by one: with the lease thread on, its main thread never loads the DynamoDB SDK.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { KinesisClient } from "@aws-sdk/client-kinesis";

export {
  type AwsClientOptions,
  type ClientTarget,
  clientTarget,
  resolveEndpoint,
  resolveRegion,
} from "./client-config.ts";
export { createDynamoDbClient } from "./dynamodb-client.ts";
export { createKinesisClient } from "./kinesis-client.ts";

/** The region a client will actually use (the SDK may have found it in a profile). */
export async function effectiveRegion(client: KinesisClient | DynamoDBClient): Promise<string | undefined> {
  try {
    return await client.config.region();
  } catch {
    return undefined;
  }
}
