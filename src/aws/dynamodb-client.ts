// The DynamoDB client alone (the lease thread needs no Kinesis SDK: about 10 MB less per thread).
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { AwsClientOptions, ClientTarget } from "./client-config.ts";
import { clientConfig, leanClient } from "./sdk-config.ts";

export function createDynamoDbClient(options: AwsClientOptions = {}): {
  client: DynamoDBClient;
  target: ClientTarget;
} {
  const { target, config } = clientConfig("dynamodb", options);
  return { client: leanClient(new DynamoDBClient(config)), target };
}
