// Start-up steps (stream check, lease table, first shard sync) retried through a flaky AWS: throttling,
// 5xx answers and timeouts are transient and retried with backoff inside a budget (the Java KCL retries
// ListShards 50 × 1.5 s); a missing resource, refused credentials or a refused connection are not.
import { type BackoffPolicy, backoffDelay } from "../core/backoff.ts";
import type { Clock } from "../core/clock.ts";
import { DependencyError, describeError, ThrottledError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { Random } from "../core/random.ts";

/** How long start-up keeps retrying transient failures before giving up (≈ the Java KCL's 75 s). */
export const STARTUP_RETRY_BUDGET_MS = 75_000;
export const STARTUP_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 5000, jitter: "equal" };

/** Socket failures meaning nothing answers there at all: a wrong endpoint, reported at once (exit 4). */
const DEFINITIVE_NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "ConnectionRefused"]);

function causeCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && typeof e === "object" && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && DEFINITIVE_NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Throttling, a 5xx or a timeout: worth another try. Missing, credentials, refused: not. */
export function isTransientStartupFailure(error: unknown): boolean {
  if (error instanceof ThrottledError) return true;
  if (!(error instanceof DependencyError)) return false;
  if (error.code !== "KCL_DEPENDENCY_UNREACHABLE") return false;
  return causeCode(error) === undefined;
}

export interface StartupRetryOptions {
  clock: Clock;
  random: Random;
  events: EventBus;
  budgetMs?: number;
  signal?: AbortSignal;
}

/** Runs `step` until it succeeds, a failure is not transient, or the budget is spent (then the last error). */
export async function retryStartupStep<T>(
  name: string,
  step: () => Promise<T>,
  o: StartupRetryOptions,
): Promise<T> {
  const budget = o.budgetMs ?? STARTUP_RETRY_BUDGET_MS;
  const startedAt = o.clock.monotonic();
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const spent = o.clock.monotonic() - startedAt;
      if (!isTransientStartupFailure(error) || spent >= budget || o.signal?.aborted) throw error;
      const delay = Math.min(backoffDelay(STARTUP_BACKOFF, attempt, o.random), Math.max(0, budget - spent));
      o.events.emit({
        type: "warning",
        message: `start-up: ${name} failed (attempt ${attempt}, retrying in ${delay} ms): ${describeError(error)}`,
      });
      await o.clock.sleep(delay, o.signal);
    }
  }
}
