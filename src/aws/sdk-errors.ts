// Classification of AWS SDK failures shared by the Kinesis and DynamoDB adapters: which errors
// mean "no answer from the network", "bad credentials", and where a call was pointed.

/** The fields of an SDK (or socket) error that classification looks at. */
export interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: "client" | "server";
}

/** Error names meaning the caller's identity or permissions were refused. */
export const CREDENTIAL_ERRORS: ReadonlySet<string> = new Set([
  "CredentialsProviderError",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "ExpiredTokenException",
  "MissingAuthenticationTokenException",
  "AccessDeniedException",
]);

/** Socket-level failures: the request never got an HTTP answer. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "ConnectionRefused",
]);

const NETWORK_NAMES: ReadonlySet<string> = new Set([
  "TimeoutError",
  "RequestTimeout",
  "NetworkingError",
  "UnknownEndpoint",
  "AbortError",
]);

/** True when the SDK never received an HTTP answer (refused, reset, DNS, timeout). */
export function isNetworkFailure(e: SdkLikeError): boolean {
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (NETWORK_NAMES.has(e.name ?? "")) return true;
  // No HTTP status at all means the SDK never received a response.
  const answered = e.$metadata?.httpStatusCode !== undefined || e.$fault !== undefined;
  return !answered && /socket|connect|network|fetch failed|timed? ?out|abort/i.test(e.message ?? "");
}

/** True for failures worth calling "unreachable": no answer, or a 5xx from the service. */
export function isUnreachable(e: SdkLikeError): boolean {
  const status = e.$metadata?.httpStatusCode;
  return isNetworkFailure(e) || (status !== undefined && status >= 500) || e.$fault === "server";
}

/** "region X, endpoint Y" for messages. */
export function describeTarget(region: string | undefined, endpoint: string | undefined): string {
  return `region ${region ?? "(unresolved)"}, endpoint ${endpoint ?? "the default AWS endpoint"}`;
}
