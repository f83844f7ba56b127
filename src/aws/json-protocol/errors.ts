// A JSON-protocol service's answers (DynamoDB's, Kinesis GetRecords') turned into errors shaped like the
// SDK's (name, message, $fault, $metadata and the body's other fields, e.g. the Item of a
// ConditionalCheckFailedException), so the error judgement (dynamodb-errors.ts, aws-kinesis-errors.ts,
// sdk-errors.ts) reads them exactly as it read the SDK's; and which of them the client retries.
import { isNetworkFailure, type SdkLikeError } from "../sdk-errors.ts";

/** An error answer from the service (the SDK's ServiceException fields; the body's others are copied). */
export class DynamoDbServiceError extends Error {
  declare $fault: "client" | "server";
  declare $metadata: { httpStatusCode: number; requestId?: string; attempts?: number };
  /** The answer's Date header: the server's time, for clock-skew correction (not enumerable). */
  declare serverDate?: string;
  [field: string]: unknown;
}

/** `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` → ConditionalCheckFailedException */
function errorName(type: string | undefined, status: number): string {
  const name = type?.split("#").pop()?.split(":")[0];
  if (name) return name;
  return status >= 500 ? "InternalServerError" : `HttpError${status}`;
}

export function responseError(
  status: number,
  body: string,
  headers: Record<string, string | string[] | undefined>,
): DynamoDbServiceError {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's or load balancer's page): the status decides.
  }
  const headerType = headers["x-amzn-errortype"];
  const type =
    (parsed.__type as string | undefined) ?? (typeof headerType === "string" ? headerType : undefined);
  const { __type: _t, message: m1, Message: m2, ...fields } = parsed;
  const message = (m1 ?? m2 ?? (body.length < 200 ? body : `HTTP ${status}`)) as string;
  const error = Object.assign(new DynamoDbServiceError(String(message)), fields);
  error.name = errorName(type, status);
  error.$fault = status >= 500 ? "server" : "client";
  const requestId = headers["x-amzn-requestid"];
  error.$metadata = {
    httpStatusCode: status,
    ...(typeof requestId === "string" ? { requestId } : {}),
  };
  if (typeof headers.date === "string") {
    Object.defineProperty(error, "serverDate", { value: headers.date, enumerable: false });
  }
  return error;
}

/** The SDK's throttling names (its standard retry strategy backs these off like 5xx). */
export const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  "ThrottlingException",
  "Throttling",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ThrottledException",
  "LimitExceededException",
  "TransactionInProgressException",
]);

/** Answers meaning the signature's time is off from the service's: retried with the server's time. */
export const CLOCK_SKEW_ERRORS: ReadonlySet<string> = new Set([
  "RequestTimeTooSkewed",
  "RequestExpired",
  "RequestInTheFuture",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "AuthFailure",
]);

/** Whether the SDK's standard retry strategy would try this call again. */
export function isRetryable(e: unknown): boolean {
  const err = e as SdkLikeError;
  if (err.name === "AbortError") return false;
  if (THROTTLING_ERRORS.has(err.name ?? "")) return true;
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  // No answer (refused, reset, DNS, socket timeout): the same judgement the error mapping makes.
  return isNetworkFailure(err);
}
