// Where AWS clients point and as whom: region, endpoint overrides from options or the AWS_ENDPOINT_URL*
// variables, and the emulators' credentials. No SDK code is imported here: the lease table's own client
// (dynamodb-http/, json-protocol/) uses it too. The SDK clients' configuration is in sdk-config.ts.

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
export function emulatorCredentials(endpoint: string | undefined, env: Record<string, string | undefined>) {
  if (!endpoint || env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE) return undefined;
  try {
    if (!LOOPBACK.test(new URL(endpoint).hostname)) return undefined;
  } catch {
    return undefined;
  }
  return { accessKeyId: "local", secretAccessKey: "local" };
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

/** Explicit credentials, or the emulators' on a loopback endpoint; undefined: the default chain. */
export function clientCredentials(
  service: "kinesis" | "dynamodb",
  options: AwsClientOptions,
): AwsClientOptions["credentials"] {
  const env = options.env ?? process.env;
  return options.credentials ?? emulatorCredentials(clientTarget(service, options).endpoint, env);
}
