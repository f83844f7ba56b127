// Maps AWS SDK / network failures of lease-table calls onto the engine's typed errors, naming the
// table, region and endpoint so an operator can act on the message alone.
import { DependencyError, type ErrorContext, ThrottledError } from "../core/errors.ts";
import { CREDENTIAL_ERRORS, describeTarget, isUnreachable, type SdkLikeError } from "../aws/sdk-errors.ts";

export interface DynamoCallContext {
  operation: string;
  table: string;
  leaseKey?: string;
  region: string | undefined;
  endpoint: string | undefined;
}

const THROTTLING = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
]);

function where(ctx: DynamoCallContext): string {
  return describeTarget(ctx.region, ctx.endpoint);
}

function context(ctx: DynamoCallContext): ErrorContext {
  const out: ErrorContext = { operation: ctx.operation, table: ctx.table };
  if (ctx.leaseKey !== undefined) out.leaseKey = ctx.leaseKey;
  if (ctx.region !== undefined) out.region = ctx.region;
  if (ctx.endpoint !== undefined) out.endpoint = ctx.endpoint;
  return out;
}

/** The error for a table that does not exist (also used by assertTableExists). */
export function missingTable(ctx: DynamoCallContext, cause?: unknown): DependencyError {
  return new DependencyError(
    `DynamoDB lease table ${ctx.table} does not exist (${where(ctx)}). ` +
      "Let kcl-ts create it (the default), create it with hash key leaseKey (S), or fix --table, --app, " +
      "--region or --dynamodb-endpoint.",
    "missing",
    context(ctx),
    cause === undefined ? undefined : { cause },
  );
}

/** Returns the typed error for `e` (or `e` itself when the engine cannot act on it). */
export function mapDynamoError(e: unknown, ctx: DynamoCallContext): unknown {
  if (typeof e !== "object" || e === null) return e;
  const err = e as SdkLikeError;
  const name = err.name ?? "";
  const detail = `${name}: ${err.message ?? ""}`;
  if (THROTTLING.has(name)) {
    return new ThrottledError(
      `DynamoDB ${ctx.operation} on lease table ${ctx.table} throttled (${detail}); retrying with backoff ` +
        "inside the lease budget. If this persists, use on-demand billing or raise the table's capacity.",
      context(ctx),
      { cause: e },
    );
  }
  if (name === "ResourceNotFoundException") return missingTable(ctx, e);
  if (CREDENTIAL_ERRORS.has(name)) {
    return new DependencyError(
      `DynamoDB ${ctx.operation} on lease table ${ctx.table} was refused (${where(ctx)}): ${detail}. ` +
        "Check the AWS credentials and their IAM permissions for the lease table.",
      "credentials",
      context(ctx),
      { cause: e },
    );
  }
  if (isUnreachable(err)) {
    return new DependencyError(
      `DynamoDB is unreachable for ${ctx.operation} on lease table ${ctx.table} (${where(ctx)}): ${detail}. ` +
        "Check the endpoint, the network and proxy settings; the call is retried.",
      "unreachable",
      context(ctx),
      { cause: e },
    );
  }
  return e;
}
