// Maps AWS SDK / network failures of Kinesis calls onto the engine's typed errors, naming the
// stream, shard, region and endpoint so an operator can act on the message alone.
import {
  DependencyError,
  ExpiredIteratorError,
  type ErrorContext,
  InvalidCheckpointError,
  ThrottledError,
} from "../core/errors.ts";
import { CREDENTIAL_ERRORS, describeTarget, isUnreachable, type SdkLikeError } from "../aws/sdk-errors.ts";

/** What the adapter knows about a failed call. */
export interface KinesisCallContext {
  operation:
    | "DescribeStreamSummary"
    | "ListShards"
    | "GetShardIterator"
    | "GetRecords"
    | "SubscribeToShard"
    | "RegisterStreamConsumer"
    | "DescribeStreamConsumer"
    | "ListStreamConsumers"
    | "DeregisterStreamConsumer";
  /** The stream consumer (enhanced fan-out calls). */
  consumerArn?: string;
  stream?: string;
  shardId?: string;
  region: string | undefined;
  endpoint: string | undefined;
}

const THROTTLING = new Set([
  "ProvisionedThroughputExceededException",
  "LimitExceededException",
  "KMSThrottlingException",
  "ThrottlingException",
]);

const MISSING = new Set([
  "ResourceNotFoundException",
  "KMSNotFoundException",
  "KMSDisabledException",
  "KMSInvalidStateException",
  "KMSOptInRequired",
]);

function where(ctx: KinesisCallContext): string {
  return describeTarget(ctx.region, ctx.endpoint);
}

function context(ctx: KinesisCallContext): ErrorContext {
  const out: ErrorContext = { operation: ctx.operation };
  if (ctx.stream !== undefined) out.stream = ctx.stream;
  if (ctx.shardId !== undefined) out.shardId = ctx.shardId;
  if (ctx.consumerArn !== undefined) out.consumerArn = ctx.consumerArn;
  if (ctx.region !== undefined) out.region = ctx.region;
  if (ctx.endpoint !== undefined) out.endpoint = ctx.endpoint;
  return out;
}

/** Returns the typed error for `e` (or `e` itself when it is not something the engine can act on). */
export function mapKinesisError(e: unknown, ctx: KinesisCallContext): unknown {
  if (typeof e !== "object" || e === null) return e;
  const err = e as SdkLikeError;
  const name = err.name ?? "";
  const detail = `${name}: ${err.message ?? ""}`;
  const cause = { cause: e };
  const stream = ctx.stream ?? "(unknown)";
  const subject = ctx.shardId
    ? `shard ${ctx.shardId} of stream ${stream}`
    : ctx.consumerArn
      ? `stream consumer ${ctx.consumerArn}`
      : `stream ${stream}`;
  if (THROTTLING.has(name)) {
    return new ThrottledError(
      `Kinesis ${ctx.operation} throttled on ${subject} (${detail}); retrying with backoff. ` +
        "If this persists, fewer applications should poll the stream (5 reads/s per shard) or use more shards.",
      context(ctx),
      cause,
    );
  }
  if (name === "ResourceInUseException" && ctx.operation === "SubscribeToShard") {
    return new ThrottledError(
      `Another SubscribeToShard is open on ${subject} for consumer ${ctx.consumerArn ?? "(unknown)"} ` +
        `(${detail}): the previous owner's subscription has not closed yet, or another application ` +
        "uses the same consumer; retrying with backoff. Give each application its own --consumer-name.",
      context(ctx),
      cause,
    );
  }
  if (name === "ExpiredIteratorException") {
    return new ExpiredIteratorError(
      `Shard iterator for ${subject} expired (${detail}); a new one is requested after the last fetched record.`,
      context(ctx),
      cause,
    );
  }
  if (name === "InvalidArgumentException" && ctx.operation === "GetRecords") {
    // Java KCL treats an invalid iterator like an expired one: restart from the last fetched record.
    return new ExpiredIteratorError(
      `Kinesis rejected the shard iterator for ${subject} (${detail}); a new one is requested.`,
      context(ctx),
      cause,
    );
  }
  if (name === "InvalidArgumentException" && ctx.operation === "GetShardIterator") {
    return new InvalidCheckpointError(
      `Kinesis rejected the starting position for ${subject} (${detail}). A checkpoint that did not come ` +
        "from this stream (e.g. the stream was deleted and re-created) must be reset in the lease table.",
      context(ctx),
      cause,
    );
  }
  if (MISSING.has(name)) {
    const what = name.startsWith("KMS") ? `the KMS key of stream ${stream}` : subject;
    return new DependencyError(
      `Kinesis ${ctx.operation}: ${what} not found or unusable (${where(ctx)}): ${detail}. ` +
        "Create the stream, or fix --stream, --region or --kinesis-endpoint.",
      "missing",
      context(ctx),
      cause,
    );
  }
  if (CREDENTIAL_ERRORS.has(name)) {
    return new DependencyError(
      `Kinesis ${ctx.operation} on ${subject} was refused (${where(ctx)}): ${detail}. ` +
        "Check the AWS credentials (env, profile, SSO, role) and their IAM permissions for Kinesis.",
      "credentials",
      context(ctx),
      cause,
    );
  }
  if (isUnreachable(err)) {
    return new DependencyError(
      `Kinesis is unreachable for ${ctx.operation} on ${subject} (${where(ctx)}): ${detail}. ` +
        "Check the endpoint, the network and proxy settings; the call is retried.",
      "unreachable",
      context(ctx),
      cause,
    );
  }
  return e;
}
