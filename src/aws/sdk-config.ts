// AWS SDK v3 client configuration shared by the Kinesis client (and the operator tools' SDK DynamoDB
// client): HTTP/1.1 keep-alive, region and credentials from the SDK default chain, endpoint overrides
// (client-config.ts), and no per-call logger copies.
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { type AwsClientOptions, clientCredentials, clientTarget } from "./client-config.ts";

function httpHandler(requestTimeoutMs: number): NodeHttpHandler {
  // HTTP/1.1 keep-alive: the SDK's HTTP/2 default fails against plain-http emulators (toolchain.md).
  return new NodeHttpHandler({
    connectionTimeout: 3000,
    requestTimeout: requestTimeoutMs,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
  });
}

export function clientConfig(service: "kinesis" | "dynamodb", options: AwsClientOptions) {
  const target = clientTarget(service, options);
  const { region, endpoint } = target;
  const credentials = clientCredentials(service, options);
  return {
    target,
    config: {
      ...(region ? { region } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: httpHandler(options.requestTimeoutMs ?? 30_000),
    },
  };
}

/** The part of an SDK v3 client that leanClient trims (both service clients have it). */
interface WithMiddleware {
  middlewareStack: { remove(toRemove: string): boolean };
}

/**
 * Drops per-call SDK work whose result nobody reads. The SDK's logger middleware deep-copies every
 * input and output through the schema's sensitive-data filter on every call, only to pass them to the
 * default no-op logger (kcl-ts gives the SDK no logger; its own errors carry the call's context): on a
 * 10,000-record GetRecords that is a copy of every record.
 */
export function leanClient<C extends WithMiddleware>(client: C): C {
  client.middlewareStack.remove("loggerMiddleware");
  return client;
}
