// The Clock port: the only place in the engine that reads time or schedules timers.
import { AbortedError } from "./errors.ts";

/** Time as the engine sees it. Inject a FakeClock (src/testing) to step simulations by hand. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch: for display and AT_TIMESTAMP only, never for expiry. */
  now(): number;
  /** Monotonic milliseconds from an arbitrary origin: for lease expiry, intervals, durations. */
  monotonic(): number;
  /** Resolves after `ms`; rejects with AbortedError when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortedError("sleep aborted"));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(new AbortedError("sleep aborted"));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

/** Repeating timer on the system clock; returns a cancel function. Used by CLI rendering loops. */
export function every(ms: number, fn: () => void): () => void {
  const handle = setInterval(fn, ms);
  (handle as { unref?: () => void }).unref?.();
  return () => clearInterval(handle);
}

/** Defers `fn` to a later macrotask (lets I/O and timers run between long synchronous work). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
