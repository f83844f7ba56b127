// Backoff: exponential growth, caps, and the bounds of every jitter mode, with an injected Random.
import { describe, expect, test } from "bun:test";
import {
  type BackoffPolicy,
  backoffDelay,
  DYNAMODB_THROTTLE_BACKOFF,
  KINESIS_THROTTLE_BACKOFF,
  PROCESSOR_RETRY_BACKOFF,
} from "../../src/core/backoff.ts";
import { type Random, seededRandom } from "../../src/core/random.ts";

const fixed = (v: number): Random => ({ next: () => v });
/** Largest value a Random may return (it is [0, 1)). */
const ALMOST_ONE = 1 - 2 ** -53;
const policy = (jitter: BackoffPolicy["jitter"], baseMs = 100, maxMs = 5000): BackoffPolicy => ({
  baseMs,
  maxMs,
  jitter,
});

describe("jitter none", () => {
  test("doubles from the base each attempt and stops at the cap", () => {
    const p = policy("none", 100, 5000);
    const delays = Array.from({ length: 10 }, (_, i) => backoffDelay(p, i + 1, fixed(0.5)));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000]);
  });

  test("attempt 0 or below counts as the first attempt", () => {
    expect(backoffDelay(policy("none"), 0, fixed(0))).toBe(100);
    expect(backoffDelay(policy("none"), -3, fixed(0))).toBe(100);
  });

  test("huge attempt numbers stay at the cap (no Infinity or NaN)", () => {
    expect(backoffDelay(policy("none"), 5000, fixed(0))).toBe(5000);
    expect(backoffDelay(policy("full"), 5000, fixed(0.5))).toBe(2500);
  });

  test("a base above the cap is capped from the first attempt", () => {
    expect(backoffDelay(policy("none", 9000, 5000), 1, fixed(0))).toBe(5000);
  });

  test("ignores the Random entirely", () => {
    let calls = 0;
    backoffDelay(policy("none"), 3, {
      next: () => {
        calls++;
        return 0.5;
      },
    });
    expect(calls).toBe(0);
  });
});

describe("jitter full: uniform in [0, cap)", () => {
  test("extremes of the Random map to 0 and just under the cap", () => {
    const p = policy("full");
    for (let attempt = 1; attempt <= 10; attempt++) {
      const cap = Math.min(5000, 100 * 2 ** (attempt - 1));
      expect(backoffDelay(p, attempt, fixed(0))).toBe(0);
      expect(backoffDelay(p, attempt, fixed(ALMOST_ONE))).toBe(cap - 1);
      expect(backoffDelay(p, attempt, fixed(0.5))).toBe(cap / 2);
    }
  });

  test("seeded delays are whole ms within bounds, spread out, and reproducible", () => {
    const p = policy("full");
    const run = (seed: number) => {
      const r = seededRandom(seed);
      return Array.from({ length: 500 }, () => backoffDelay(p, 4, r));
    };
    const delays = run(99);
    for (const d of delays) {
      expect(Number.isInteger(d)).toBe(true);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(800);
    }
    expect(new Set(delays).size).toBeGreaterThan(200);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(360);
    expect(mean).toBeLessThan(440);
    expect(run(99)).toEqual(delays);
    expect(run(100)).not.toEqual(delays);
  });
});

describe("jitter equal: uniform in [cap/2, cap]", () => {
  test("extremes of the Random map to half the cap and just under the cap", () => {
    const p = policy("equal");
    for (let attempt = 1; attempt <= 10; attempt++) {
      const cap = Math.min(5000, 100 * 2 ** (attempt - 1));
      expect(backoffDelay(p, attempt, fixed(0))).toBe(cap / 2);
      // cap/2 + r·cap/2 may round up to the cap itself: the cap is inclusive, never exceeded.
      expect(backoffDelay(p, attempt, fixed(ALMOST_ONE))).toBeGreaterThanOrEqual(cap - 1);
      expect(backoffDelay(p, attempt, fixed(ALMOST_ONE))).toBeLessThanOrEqual(cap);
    }
  });

  test("never retries sooner than half the cap, and grows with the attempt until capped", () => {
    const p = policy("equal");
    const r = seededRandom(4);
    let previousLow = 0;
    for (let attempt = 1; attempt <= 12; attempt++) {
      const cap = Math.min(5000, 100 * 2 ** (attempt - 1));
      const samples = Array.from({ length: 200 }, () => backoffDelay(p, attempt, r));
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(cap / 2);
      expect(Math.max(...samples)).toBeLessThanOrEqual(cap);
      expect(cap / 2).toBeGreaterThanOrEqual(previousLow);
      previousLow = cap / 2;
    }
  });
});

describe("the shipped policies", () => {
  test("processor retry (spec §4): 1 s doubling to 30 s, never instant", () => {
    expect(PROCESSOR_RETRY_BACKOFF).toEqual({ baseMs: 1000, maxMs: 30_000, jitter: "equal" });
    const caps = [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000];
    caps.forEach((cap, i) => {
      expect(backoffDelay(PROCESSOR_RETRY_BACKOFF, i + 1, fixed(0))).toBe(cap / 2);
      expect(backoffDelay(PROCESSOR_RETRY_BACKOFF, i + 1, fixed(ALMOST_ONE))).toBeLessThanOrEqual(cap);
      expect(backoffDelay(PROCESSOR_RETRY_BACKOFF, i + 1, fixed(0.5))).toBe((cap * 3) / 4);
    });
  });

  test("Kinesis and DynamoDB throttling: full jitter, capped", () => {
    expect(KINESIS_THROTTLE_BACKOFF.jitter).toBe("full");
    expect(DYNAMODB_THROTTLE_BACKOFF.jitter).toBe("full");
    expect(backoffDelay(KINESIS_THROTTLE_BACKOFF, 100, fixed(ALMOST_ONE))).toBe(9999);
    expect(backoffDelay(DYNAMODB_THROTTLE_BACKOFF, 100, fixed(ALMOST_ONE))).toBe(1999);
    expect(backoffDelay(KINESIS_THROTTLE_BACKOFF, 1, fixed(ALMOST_ONE))).toBe(199);
    expect(backoffDelay(DYNAMODB_THROTTLE_BACKOFF, 1, fixed(ALMOST_ONE))).toBe(49);
  });
});
