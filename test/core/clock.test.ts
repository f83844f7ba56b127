// systemClock and the timer helpers: real (short) sleeps, abort, listener hygiene.
import { describe, expect, test } from "bun:test";
import { every, systemClock, yieldToEventLoop } from "../../src/core/clock.ts";
import { AbortedError } from "../../src/core/errors.ts";

/** Counts abort listeners currently registered on a real signal. */
function countingSignal(): { controller: AbortController; signal: AbortSignal; listeners: () => number } {
  const controller = new AbortController();
  const signal = controller.signal;
  let n = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    n++;
    add(...args);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
    n--;
    remove(...args);
  }) as typeof signal.removeEventListener;
  return { controller, signal, listeners: () => n };
}

describe("systemClock", () => {
  test("now() is epoch wall time and monotonic() never decreases", () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThan(before + 5000);
    let last = systemClock.monotonic();
    for (let i = 0; i < 1000; i++) {
      const m = systemClock.monotonic();
      expect(m).toBeGreaterThanOrEqual(last);
      last = m;
    }
  });

  test("sleep resolves after roughly the requested time", async () => {
    const start = performance.now();
    await systemClock.sleep(30);
    // Timers may fire a hair early by performance.now(); a loaded machine makes them late, never far early.
    expect(performance.now() - start).toBeGreaterThanOrEqual(25);
  });

  test("sleep(0) and negative sleeps resolve at once (before a 1 s timer started earlier)", async () => {
    const order: string[] = [];
    const timer = setTimeout(() => order.push("timer"), 1000);
    await expect(systemClock.sleep(0)).resolves.toBeUndefined();
    order.push("sleep(0)");
    await expect(systemClock.sleep(-10)).resolves.toBeUndefined();
    order.push("sleep(-10)");
    clearTimeout(timer);
    expect(order).toEqual(["sleep(0)", "sleep(-10)"]);
  });

  test("an already-aborted signal rejects at once with AbortedError", async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(systemClock.sleep(10_000, ac.signal)).rejects.toBeInstanceOf(AbortedError);
  });

  test("abort during a long sleep rejects promptly with AbortedError", async () => {
    const { controller, signal, listeners } = countingSignal();
    const start = performance.now();
    const sleeping = systemClock.sleep(60_000, signal);
    setTimeout(() => controller.abort(), 10);
    const error = await sleeping.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).retriable).toBe(false);
    expect(performance.now() - start).toBeLessThan(5000);
    expect(listeners()).toBeLessThanOrEqual(1); // registered with { once: true }: gone after firing
  });

  test("a completed sleep removes its abort listener", async () => {
    const { signal, listeners } = countingSignal();
    for (let i = 0; i < 3; i++) await systemClock.sleep(1, signal);
    expect(listeners()).toBe(0);
  });
});

describe("timer helpers", () => {
  test("every() repeats until cancelled", async () => {
    let n = 0;
    const cancel = every(5, () => {
      n++;
    });
    // Wait for fires rather than a fixed time: on a contended CPU a late event loop fires an interval once.
    for (let waited = 0; n < 3 && waited < 10_000; waited += 5) await systemClock.sleep(5);
    cancel();
    const seen = n;
    expect(seen).toBeGreaterThanOrEqual(3);
    await systemClock.sleep(30);
    expect(n).toBe(seen);
  });

  test("yieldToEventLoop() lets a pending macrotask run, which a microtask await does not", async () => {
    const order: string[] = [];
    setTimeout(() => order.push("timer"), 0);
    await Promise.resolve();
    order.push("after-microtask");
    await yieldToEventLoop();
    order.push("after-yield");
    expect(order).toEqual(["after-microtask", "timer", "after-yield"]);
  });
});
