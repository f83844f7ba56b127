// The DynamoDB client alone (the lease thread needs no Kinesis SDK: about 10 MB less per thread).
// Its requests go through the runtime's fetch, not node:http: an idle worker's lease renewals are
// most of its DynamoDB calls, and on Bun a call through fetch costs about a third less CPU than
// through the node:http compatibility layer (bench/sdk-calls.ts; README "Benchmarks").
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { type AwsClientOptions, type ClientTarget, clientConfig, leanClient } from "./client-config.ts";

export function createDynamoDbClient(options: AwsClientOptions = {}): {
  client: DynamoDBClient;
  target: ClientTarget;
} {
  const { target, config } = clientConfig("dynamodb", options);
  const requestHandler = new FetchHttpHandler({ requestTimeout: options.requestTimeoutMs ?? 30_000 });
  return { client: leanClient(new DynamoDBClient({ ...config, requestHandler })), target };
}
