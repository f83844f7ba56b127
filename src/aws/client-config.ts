// Shared AWS SDK v3 client configuration: HTTP/1.1 keep-alive, region and credentials from the SDK
// default chain, endpoint overrides from options or the AWS_ENDPOINT_URL* variables. No SDK client is
// imported here, so a module that needs one service (the lease thread: DynamoDB) loads only that one.
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { NodeHttpHandler } from "@smithy/node-http-handler";

export interface AwsClientOptions {
  region?: string;
  kinesisEndpoint?: string;
  dynamodbEndpoint?: string;
  /** Explicit credentials (tests, --local). Default: the SDK chain (env, profile, SSO, container, IMDS). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Per-request socket timeout. Default 30 s (a 10,000-record GetRecords can take a while). */
  requestTimeoutMs?: number;
  /** SDK attempts per call. Default 3. */
  maxAttempts?: number;
  /** Environment to read AWS_* from. Default: the process environment. */
  env?: Record<string, string | undefined>;
}

/** Where a client points: named in every DependencyError. */
export interface ClientTarget {
  region: string | undefined;
  endpoint: string | undefined;
}

/** Endpoint precedence: explicit option, service-specific env var, generic env var. */
export function resolveEndpoint(
  service: "kinesis" | "dynamodb",
  explicit: string | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  const specific = service === "kinesis" ? env.AWS_ENDPOINT_URL_KINESIS : env.AWS_ENDPOINT_URL_DYNAMODB;
  return explicit || specific || env.AWS_ENDPOINT_URL || undefined;
}

/** Region precedence: explicit option, AWS_REGION, AWS_DEFAULT_REGION; else the SDK reads the profile. */
export function resolveRegion(explicit: string | undefined, env: Record<string, string | undefined>) {
  return explicit || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/**
 * Emulators on loopback accept any credentials; without this a machine with no AWS setup would walk
 * the whole default chain (and wait for instance metadata) before failing.
 */
function emulatorCredentials(endpoint: string | undefined, env: Record<string, string | undefined>) {
  if (!endpoint || env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE) return undefined;
  try {
    if (!LOOPBACK.test(new URL(endpoint).hostname)) return undefined;
  } catch {
    return undefined;
  }
  return { accessKeyId: "local", secretAccessKey: "local" };
}

function httpHandler(requestTimeoutMs: number): NodeHttpHandler {
  // HTTP/1.1 keep-alive: the SDK's HTTP/2 default fails against plain-http emulators (toolchain.md).
  return new NodeHttpHandler({
    connectionTimeout: 3000,
    requestTimeout: requestTimeoutMs,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
  });
}

/** Where a client built with these options points, without building it (or loading its SDK). */
export function clientTarget(service: "kinesis" | "dynamodb", options: AwsClientOptions): ClientTarget {
  const env = options.env ?? process.env;
  const explicit = service === "kinesis" ? options.kinesisEndpoint : options.dynamodbEndpoint;
  const endpoint = resolveEndpoint(service, explicit, env);
  const region = resolveRegion(options.region, env);
  // Emulators ignore the region, but the SDK refuses to sign without one.
  if (!region && emulatorCredentials(endpoint, env)) return { region: "us-east-1", endpoint };
  return { region, endpoint };
}

export function clientConfig(service: "kinesis" | "dynamodb", options: AwsClientOptions) {
  const env = options.env ?? process.env;
  const target = clientTarget(service, options);
  const { region, endpoint } = target;
  const credentials = options.credentials ?? emulatorCredentials(endpoint, env);
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
