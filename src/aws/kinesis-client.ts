// The Kinesis client alone: what a worker's main thread builds when the lease thread owns DynamoDB
// (importing clients.ts would load the DynamoDB SDK there too, about 5 MB more per process).
import { KinesisClient } from "@aws-sdk/client-kinesis";
import type { AwsClientOptions, ClientTarget } from "./client-config.ts";
import { clientConfig, leanClient } from "./sdk-config.ts";

export function createKinesisClient(options: AwsClientOptions = {}): {
  client: KinesisClient;
  target: ClientTarget;
} {
  const { target, config } = clientConfig("kinesis", options);
  return { client: leanClient(new KinesisClient(config)), target };
}
