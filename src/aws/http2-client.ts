// The Kinesis client for enhanced fan-out: SubscribeToShard needs HTTP/2 (AWS SDK v3's NodeHttp2Handler);
// every other call keeps the HTTP/1.1 client of clients.ts (toolchain.md: HTTP/2 for polling is unreliable).
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttp2Handler } from "@smithy/node-http-handler";
import type { AwsClientOptions, ClientTarget } from "./client-config.ts";
import { clientConfig, leanClient } from "./sdk-config.ts";

export interface Http2ClientOptions extends AwsClientOptions {
  /**
   * Where SubscribeToShard goes when it differs from the Kinesis endpoint (tests: an HTTP/2 relay in
   * front of kinesis-mock). Default: the Kinesis endpoint.
   */
  subscribeEndpoint?: string;
}

export function createKinesisHttp2Client(options: Http2ClientOptions = {}): {
  client: KinesisClient;
  target: ClientTarget;
} {
  const { target, config } = clientConfig("kinesis", options);
  const endpoint = options.subscribeEndpoint ?? target.endpoint;
  const client = leanClient(
    new KinesisClient({
      ...config,
      ...(endpoint ? { endpoint } : {}),
      // Kinesis sends an event at least every 5 s: 30 s of silence means the stream is dead.
      requestHandler: new NodeHttp2Handler({ requestTimeout: options.requestTimeoutMs ?? 30_000 }),
      // A subscription is retried by the reader (with its own backoff and position), not by the SDK.
      maxAttempts: 1,
    }),
  );
  return { client, target: { region: target.region, endpoint } };
}
