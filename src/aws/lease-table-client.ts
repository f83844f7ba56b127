// The lease table's client (dynamodb-http/, on json-protocol/): where it points and as whom, from the same options as the
// SDK clients (client-config.ts). Loads no SDK code unless the default credential chain is needed.
import { systemClock, type Clock } from "../core/clock.ts";
import { systemRandom, type Random } from "../core/random.ts";
import {
  type AwsClientOptions,
  type ClientTarget,
  clientCredentials,
  clientTarget,
} from "./client-config.ts";
import { DynamoDbHttpClient } from "./dynamodb-http/client.ts";
import { profileRegion } from "./json-protocol/credentials.ts";

export type { DynamoDbHttpClient as LeaseTableClient } from "./dynamodb-http/client.ts";

export function createLeaseTableClient(
  options: AwsClientOptions = {},
  clock: Clock = systemClock,
  random: Random = systemRandom,
): { client: DynamoDbHttpClient; target: ClientTarget } {
  const env = options.env ?? process.env;
  const resolved = clientTarget("dynamodb", options);
  // The SDK falls back to the profile's region; so does this client (and names it in errors).
  const target = { ...resolved, region: resolved.region ?? profileRegion(env) };
  const credentials = clientCredentials("dynamodb", options);
  const client = new DynamoDbHttpClient({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    clock,
    random,
    maxAttempts: options.maxAttempts ?? 3,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    env,
  });
  return { client, target };
}
