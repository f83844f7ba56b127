// One lease-table SDK call: a per-call timeout on the injected clock (a hung request must not eat the
// lease budget) and SDK errors mapped to typed ones.
import type { Clock } from "../core/clock.ts";
import type { Item } from "./dynamodb-codec.ts";
import { type DynamoCallContext, mapDynamoError } from "./dynamodb-errors.ts";

export function isConditionFailure(e: unknown): e is { Item?: Item } {
  return (e as { name?: string } | null)?.name === "ConditionalCheckFailedException";
}

/** With `conditional`, ConditionalCheckFailedException passes through for the caller to classify. */
export async function callDynamo<T>(
  clock: Clock,
  timeoutMs: number,
  ctx: DynamoCallContext,
  call: (signal: AbortSignal) => Promise<T>,
  conditional = false,
): Promise<T> {
  const timeout = new AbortController();
  const done = new AbortController();
  clock.sleep(timeoutMs, done.signal).then(
    () => timeout.abort(),
    () => undefined,
  );
  try {
    return await call(timeout.signal);
  } catch (e) {
    if (conditional && isConditionFailure(e)) throw e;
    throw mapDynamoError(e, ctx);
  } finally {
    done.abort();
  }
}
