// The error taxonomy: every error the engine throws is a KclError with a literal name and code.
// Messages state the value, the rule and the fix; the CLI maps classes to exit codes in one place.

/** Where an error happened: filled in as far as the thrower knows. */
export interface ErrorContext {
  shardId?: string;
  leaseKey?: string;
  workerId?: string;
  stream?: string;
  table?: string;
  region?: string;
  endpoint?: string;
  option?: string;
  file?: string;
  operation?: string;
  /** Enhanced fan-out stream consumer. */
  consumerArn?: string;
}

export abstract class KclError extends Error {
  abstract override readonly name: string;
  abstract readonly code: string;
  /** True when the same call may succeed if tried again later. */
  abstract readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.context = context;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      retriable: this.retriable,
      message: this.message,
      ...this.context,
    };
  }
}

/** An option or config file value is invalid (exit code 2). */
export class ConfigurationError extends KclError {
  override readonly name = "ConfigurationError" as const;
  readonly code = "KCL_CONFIG" as const;
  readonly retriable = false;
}

/** An AWS resource is missing or unreachable: stream, table, credentials, endpoint (exit code 4). */
export class DependencyError extends KclError {
  override readonly name = "DependencyError" as const;
  readonly code: "KCL_DEPENDENCY_MISSING" | "KCL_DEPENDENCY_UNREACHABLE" | "KCL_CREDENTIALS";
  readonly retriable: boolean;
  constructor(
    message: string,
    kind: "missing" | "unreachable" | "credentials",
    context: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, context, options);
    this.code =
      kind === "missing"
        ? "KCL_DEPENDENCY_MISSING"
        : kind === "unreachable"
          ? "KCL_DEPENDENCY_UNREACHABLE"
          : "KCL_CREDENTIALS";
    this.retriable = kind === "unreachable";
  }
}

/** The service asked us to slow down (Kinesis ProvisionedThroughputExceeded, DynamoDB throttling). */
export class ThrottledError extends KclError {
  override readonly name = "ThrottledError" as const;
  readonly code = "KCL_THROTTLED" as const;
  readonly retriable = true;
}

/** A shard iterator outlived its 5 minutes; the reader restarts after the last fetched record. */
export class ExpiredIteratorError extends KclError {
  override readonly name = "ExpiredIteratorError" as const;
  readonly code = "KCL_EXPIRED_ITERATOR" as const;
  readonly retriable = true;
}

/** This worker no longer holds the lease: it cannot checkpoint and must stop processing the shard. */
export class LeaseLostError extends KclError {
  override readonly name = "LeaseLostError" as const;
  readonly code = "KCL_LEASE_LOST" as const;
  readonly retriable = false;
}

/** A checkpoint value is beyond what was delivered, behind the last checkpoint, or malformed. */
export class InvalidCheckpointError extends KclError {
  override readonly name = "InvalidCheckpointError" as const;
  readonly code = "KCL_INVALID_CHECKPOINT" as const;
  readonly retriable = false;
}

/** The plugin module could not be loaded or has the wrong shape (exit code 3). */
export class PluginLoadError extends KclError {
  override readonly name = "PluginLoadError" as const;
  readonly code = "KCL_PLUGIN_LOAD" as const;
  readonly retriable = false;
}

/** The record processor threw and the failure policy is `exit` (exit code 5). */
export class ProcessorFailedError extends KclError {
  override readonly name = "ProcessorFailedError" as const;
  readonly code = "KCL_PROCESSOR_FAILED" as const;
  readonly retriable = false;
}

/** Something that must never happen did: a bug in kcl-ts (exit code 1). */
export class InvariantViolationError extends KclError {
  override readonly name = "InvariantViolationError" as const;
  readonly code = "KCL_INVARIANT" as const;
  readonly retriable = false;
}

/** An operation was cancelled through its AbortSignal (shutdown, lease loss). Not a failure. */
export class AbortedError extends KclError {
  override readonly name = "AbortedError" as const;
  readonly code = "KCL_ABORTED" as const;
  readonly retriable = false;
}

export function isKclError(e: unknown): e is KclError {
  return e instanceof KclError;
}

/** One-line description of anything thrown, for events and logs. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
