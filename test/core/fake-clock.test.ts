// FakeClock: time moves only on advance(); sleepers wake in deadline order; abort; wall vs monotonic.
import { describe, expect, test } from "bun:test";
import { AbortedError } from "../../src/core/errors.ts";
import { FakeClock, flushAsync } from "../../src/testing/fake-clock.ts";

/** Records when (on the fake monotonic clock) each labelled sleep woke. */
function recorder(clock: FakeClock) {
  const woke: [string, number][] = [];
  const sleep = (label: string, ms: number, signal?: AbortSignal) =>
    clock.sleep(ms, signal).then(() => {
      woke.push([label, clock.monotonic()]);
    });
  return { woke, sleep };
}

describe("FakeClock time", () => {
  test("starts at the given monotonic origin and wall start, and only moves on advance()", async () => {
    const clock = new FakeClock(500, Date.UTC(2030, 5, 1));
    expect(clock.monotonic()).toBe(500);
    expect(clock.now()).toBe(Date.UTC(2030, 5, 1));
    await flushAsync();
    expect(clock.monotonic()).toBe(500);
    await clock.advance(250);
    expect(clock.monotonic()).toBe(750);
    expect(clock.now()).toBe(Date.UTC(2030, 5, 1) + 250);
  });

  test("default wall start is 2026-01-01T00:00:00Z at monotonic 0", () => {
    const clock = new FakeClock();
    expect(clock.monotonic()).toBe(0);
    expect(new Date(clock.now()).toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  test("a wall clock skewed by hours moves in step with monotonic time, which stays unaffected", async () => {
    const honest = new FakeClock(0);
    const skewed = new FakeClock(0, Date.UTC(2026, 0, 1) - 3 * 3_600_000);
    await honest.advance(12_345);
    await skewed.advance(12_345);
    expect(skewed.monotonic()).toBe(honest.monotonic());
    expect(honest.now() - skewed.now()).toBe(3 * 3_600_000);
  });

  test("advance(0) is allowed and a negative advance is rejected (monotonic never goes back)", async () => {
    const clock = new FakeClock(100);
    await clock.advance(0);
    expect(clock.monotonic()).toBe(100);
    await expect(clock.advance(-1)).rejects.toBeInstanceOf(RangeError);
    await expect(clock.advance(Number.NaN)).rejects.toBeInstanceOf(RangeError);
    expect(clock.monotonic()).toBe(100);
  });
});

describe("FakeClock sleepers", () => {
  test("wake in deadline order, each observing its own deadline as the time", async () => {
    const clock = new FakeClock(1000);
    const { woke, sleep } = recorder(clock);
    const all = [sleep("c", 300), sleep("a", 100), sleep("b", 200)];
    expect(clock.pendingSleeps).toBe(3);
    await clock.advance(1000);
    await Promise.all(all);
    expect(woke).toEqual([
      ["a", 1100],
      ["b", 1200],
      ["c", 1300],
    ]);
    expect(clock.monotonic()).toBe(2000);
    expect(clock.pendingSleeps).toBe(0);
  });

  test("equal deadlines wake in the order the sleeps were started", async () => {
    const clock = new FakeClock();
    const { woke, sleep } = recorder(clock);
    void sleep("first", 50);
    void sleep("second", 50);
    void sleep("third", 50);
    await clock.advance(50);
    expect(woke.map(([l]) => l)).toEqual(["first", "second", "third"]);
  });

  test("only sleepers due within the advance wake; the rest keep waiting", async () => {
    const clock = new FakeClock();
    const { woke, sleep } = recorder(clock);
    void sleep("soon", 10);
    void sleep("later", 100);
    await clock.advance(99);
    expect(woke).toEqual([["soon", 10]]);
    expect(clock.pendingSleeps).toBe(1);
    await clock.advance(1);
    expect(woke).toEqual([
      ["soon", 10],
      ["later", 100],
    ]);
  });

  test("a sleep started by woken code wakes within the same advance if due, ahead of later deadlines", async () => {
    const clock = new FakeClock();
    const ticks: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(20);
        ticks.push(clock.monotonic());
      }
    })();
    const { woke, sleep } = recorder(clock);
    void sleep("other", 50);
    await clock.advance(100);
    await loop;
    expect(ticks).toEqual([20, 40, 60]);
    expect(woke).toEqual([["other", 50]]);
  });

  test("sleep(0) and negative sleeps are due now but still wait for an advance", async () => {
    const clock = new FakeClock(7);
    const { woke, sleep } = recorder(clock);
    void sleep("zero", 0);
    void sleep("negative", -5);
    await flushAsync();
    expect(woke).toEqual([]);
    await clock.advance(0);
    expect(woke).toEqual([
      ["zero", 7],
      ["negative", 7],
    ]);
  });
});

describe("FakeClock abort", () => {
  test("an already-aborted signal rejects at once with AbortedError and schedules nothing", async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    ac.abort();
    await expect(clock.sleep(100, ac.signal)).rejects.toBeInstanceOf(AbortedError);
    expect(clock.pendingSleeps).toBe(0);
  });

  test("aborting a pending sleep rejects it and removes it; other sleepers are unaffected", async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const { woke, sleep } = recorder(clock);
    const aborted = sleep("aborted", 100, ac.signal);
    void sleep("kept", 100);
    ac.abort();
    const error = await aborted.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).code).toBe("KCL_ABORTED");
    expect(clock.pendingSleeps).toBe(1);
    await clock.advance(100);
    expect(woke).toEqual([["kept", 100]]);
  });

  test("aborting after the sleep woke changes nothing", async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const done = clock.sleep(10, ac.signal);
    await clock.advance(10);
    await done;
    ac.abort();
    await flushAsync();
    expect(clock.pendingSleeps).toBe(0);
  });

  test("a woken sleeper drops its abort listener, so a long-lived signal does not collect them", async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    let listeners = 0;
    const signal = ac.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof signal.removeEventListener;
    for (let i = 0; i < 5; i++) {
      const s = clock.sleep(10, signal);
      await clock.advance(10);
      await s;
    }
    expect(listeners).toBe(0);
  });
});
