// The DynamoDB client alone (the lease thread needs no Kinesis SDK: about 10 MB less per thread).
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type AwsClientOptions, type ClientTarget, clientConfig, leanClient } from "./client-config.ts";

export function createDynamoDbClient(options: AwsClientOptions = {}): {
  client: DynamoDBClient;
  target: ClientTarget;
} {
  const { target, config } = clientConfig("dynamodb", options);
  return { client: leanClient(new DynamoDBClient(config)), target };
}
