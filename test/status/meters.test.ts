// Meters and formatting behind the status numbers: records/s window, lag trend, bounded rings, units.
import { describe, expect, test } from "bun:test";
import {
  formatBytes,
  formatCount,
  formatDuration,
  RateMeter,
  Ring,
  TrendRing,
} from "../../src/status/index.ts";

const T = 1_700_000_000_000;

describe("RateMeter", () => {
  test("a steady 1000 records/s reads as 1000/s once the window is full", () => {
    const m = new RateMeter(5);
    for (let ms = 0; ms < 20_000; ms += 10) m.add(T + ms, 10, 100);
    const r = m.rate(T + 20_000);
    expect(r.perSecond).toBeCloseTo(1000, 0);
    expect(r.bytesPerSecond).toBeCloseTo(10_000, 0);
  });

  test("decays to zero when records stop, and ignores events for a reused slot", () => {
    const m = new RateMeter(5);
    m.add(T, 500, 0);
    expect(m.rate(T + 500).perSecond).toBe(500); // span clamped to 1 s: no first-batch spike
    expect(m.rate(T + 7000).perSecond).toBe(0);
    m.add(T + 8000, 10, 0);
    m.add(T + 2000, 1_000_000, 0); // same slot as T + 8000 (6-slot ring), older: dropped
    expect(m.rate(T + 8500).perSecond).toBeLessThan(10);
    expect(new RateMeter().rate(T).perSecond).toBe(0);
  });
});

describe("TrendRing", () => {
  test("one sample per second (the latest wins), oldest dropped beyond capacity", () => {
    const r = new TrendRing(3);
    r.push(T, 1);
    r.push(T + 500, 2);
    expect(r.toArray()).toEqual([2]);
    r.push(T + 1000, 3);
    r.push(T + 2000, 4);
    r.push(T + 3000, 5);
    expect(r.toArray()).toEqual([3, 4, 5]);
    r.push(T + 3999, 6);
    expect(r.toArray()).toEqual([3, 4, 6]);
  });
});

describe("Ring", () => {
  test("keeps the newest items in order", () => {
    const r = new Ring<number>(2);
    expect(r.last()).toBeUndefined();
    for (const n of [1, 2, 3]) r.push(n);
    expect(r.toArray()).toEqual([2, 3]);
    expect(r.last()).toBe(3);
  });
});

describe("formatting", () => {
  test("durations", () => {
    expect(
      [-5, 0, 950, 1000, 12_345, 65_000, 3_600_000 + 180_000, 3 * 86_400_000 + 4 * 3_600_000].map(
        formatDuration,
      ),
    ).toEqual(["0ms", "0ms", "950ms", "1.0s", "12.3s", "1m05s", "1h03m", "3d04h"]);
  });

  test("counts and bytes fit narrow columns", () => {
    expect([0, 999, 1234, 45_678, 1_234_567, 98_765_432].map(formatCount)).toEqual([
      "0",
      "999",
      "1.2k",
      "45k",
      "1.2M",
      "98M",
    ]);
    expect([12, 1536, 20_480, 5 * 1024 * 1024].map(formatBytes)).toEqual([
      "12 B",
      "1.5 KiB",
      "20 KiB",
      "5.0 MiB",
    ]);
  });
});
