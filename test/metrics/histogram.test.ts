// The collector's latency histograms (cli/metrics/histogram.ts) write exactly what prom-client's own
// Histogram writes for the same observations: same buckets, cumulative counts, +Inf, sum and count.
import { describe, expect, test } from "bun:test";
import { Histogram, Registry } from "prom-client";
import { FastHistogram } from "../../cli/metrics/histogram.ts";
import { parsePrometheusText, sampleValue } from "../support/prom-text.ts";

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function pair() {
  const reference = new Registry();
  const ours = new Registry();
  const help = "Time processRecords took per batch (seconds).";
  const name = "kcl_process_records_seconds";
  return {
    reference,
    ours,
    ref: new Histogram({ name, help, buckets: BUCKETS, registers: [reference] }),
    fast: new FastHistogram({ name, help, buckets: BUCKETS, registers: [ours] }),
  };
}

describe("FastHistogram", () => {
  test("the exposition equals prom-client's Histogram's, byte for byte", async () => {
    const { reference, ours, ref, fast } = pair();
    expect(await ours.metrics()).toBe(await reference.metrics());
    // Bounds exactly (a value equal to a bound is in that bucket), between, below all, above all.
    const values = [0, 0.001, 0.0011, 0.0025, 0.003, 0.05, 0.7, 1, 9.99, 10, 10.01, 1234];
    let seed = 17;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      values.push((seed / 2 ** 31) ** 3 * 12);
    }
    for (const v of values) {
      ref.observe(v);
      fast.observe(v);
    }
    const text = await ours.metrics();
    expect(text).toBe(await reference.metrics());
    const families = parsePrometheusText(text);
    const atMost1ms = values.filter((v) => v <= 0.001).length;
    expect(sampleValue(families, "kcl_process_records_seconds_bucket", { le: "0.001" })).toBe(atMost1ms);
    expect(sampleValue(families, "kcl_process_records_seconds_count")).toBe(values.length);
  });

  test("a value that is not a number is not counted (an event with a bad duration still reaches the fold)", async () => {
    const { ours, fast } = pair();
    fast.observe(Number.NaN);
    fast.observe(Number.POSITIVE_INFINITY);
    fast.observe(0.2);
    const families = parsePrometheusText(await ours.metrics());
    expect(sampleValue(families, "kcl_process_records_seconds_count")).toBe(1);
    expect(sampleValue(families, "kcl_process_records_seconds_sum")).toBe(0.2);
  });

  test("registry.resetMetrics() zeroes it", async () => {
    const { ours, fast } = pair();
    fast.observe(0.3);
    ours.resetMetrics();
    const families = parsePrometheusText(await ours.metrics());
    expect(sampleValue(families, "kcl_process_records_seconds_count")).toBe(0);
    expect(sampleValue(families, "kcl_process_records_seconds_bucket", { le: "0.5" })).toBe(0);
  });
});
