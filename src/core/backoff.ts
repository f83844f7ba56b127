// Exponential backoff with jitter, driven by an injected Random so tests see exact delays.
import type { Random } from "./random.ts";

export interface BackoffPolicy {
  /** First delay in ms (attempt 1). */
  readonly baseMs: number;
  /** Upper bound for any delay in ms. */
  readonly maxMs: number;
  /** "full": uniform in [0, cap]; "equal": uniform in [cap/2, cap]. Equal jitter never retries instantly. */
  readonly jitter: "full" | "equal" | "none";
}

/** Delay before retry number `attempt` (1-based): min(max, base · 2^(attempt-1)), jittered. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: Random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  switch (policy.jitter) {
    case "none":
      return exp;
    case "full":
      return Math.floor(random.next() * exp);
    case "equal":
      return Math.floor(exp / 2 + random.next() * (exp / 2));
  }
}

/** Spec §4 `--on-error retry`: 1 s doubling to 30 s. */
export const PROCESSOR_RETRY_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000, jitter: "equal" };
/** Kinesis GetRecords throttling (5 reads/s/shard): short first wait, capped well below the iterator life. */
export const KINESIS_THROTTLE_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 10_000, jitter: "full" };
/** DynamoDB throttling inside a lease budget: the caller bounds the total by its remaining budget. */
export const DYNAMODB_THROTTLE_BACKOFF: BackoffPolicy = { baseMs: 50, maxMs: 2000, jitter: "full" };
