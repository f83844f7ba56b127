// The strict exposition parser the metrics tests rely on: it reads what prom-client writes, and it
// rejects what Prometheus would reject or misread.
import { describe, expect, test } from "bun:test";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { parsePrometheusText, sampleValue } from "../support/prom-text.ts";

describe("parsePrometheusText", () => {
  test("reads prom-client's output: types, help, escaped label values, histogram samples", async () => {
    const registry = new Registry();
    const registers = [registry];
    const c = new Counter({ name: "c_total", help: "a counter", labelNames: ["shard"], registers });
    c.inc({ shard: 'a"b\\c\nd' }, 3);
    new Gauge({ name: "g", help: "a gauge", registers }).set(-1.5);
    const h = new Histogram({ name: "h_seconds", help: "a histogram", buckets: [0.1, 1], registers });
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    const families = parsePrometheusText(await registry.metrics());
    expect([...families.values()].map((f) => [f.name, f.type, f.help])).toEqual([
      ["c_total", "counter", "a counter"],
      ["g", "gauge", "a gauge"],
      ["h_seconds", "histogram", "a histogram"],
    ]);
    expect(sampleValue(families, "c_total", { shard: 'a"b\\c\nd' })).toBe(3);
    expect(sampleValue(families, "g")).toBe(-1.5);
    expect(sampleValue(families, "h_seconds_bucket", { le: "0.1" })).toBe(1);
    expect(sampleValue(families, "h_seconds_bucket", { le: "+Inf" })).toBe(3);
    expect(sampleValue(families, "h_seconds_count")).toBe(3);
    expect(sampleValue(families, "h_seconds_sum")).toBeCloseTo(5.55);
  });

  test("accepts timestamps, NaN and ±Inf values, comments and blank lines", () => {
    const text = '# a comment\n\n# TYPE x gauge\nx NaN\ny{a="1"} +Inf 1700000000000\nz -Inf\n';
    const f = parsePrometheusText(text);
    expect(Number.isNaN(sampleValue(f, "x")!)).toBe(true);
    expect(sampleValue(f, "y", { a: "1" })).toBe(Number.POSITIVE_INFINITY);
    expect(f.get("z")?.type).toBe("untyped");
  });

  const rejects: [string, string, RegExp][] = [
    ["no final newline", "# TYPE x gauge\nx 1", /end with a newline/],
    ["a bad metric name", "1x 1\n", /not a sample/],
    ["a bad label name", 'x{1a="v"} 1\n', /bad label name/],
    ["an unquoted label value", "x{a=v} 1\n", /not quoted/],
    ["an unknown escape", 'x{a="\\t"} 1\n', /bad escape/],
    ["an unterminated label value", 'x{a="v} 1\n', /unterminated|expected/],
    ["a label given twice", 'x{a="1",a="2"} 1\n', /given twice/],
    ["a bad value", "x one\n", /bad value/],
    ["a missing value", "x\n", /expected "value/],
    ["an unknown type", "# TYPE x meter\n", /unknown type/],
    ["TYPE after samples", "x 1\n# TYPE x gauge\n", /after its samples/],
    ["split series", '# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{a="1"} 2\n', /not contiguous/],
    ["a duplicate series", 'x{a="1"} 1\nx{a="1"} 2\n', /duplicate series/],
    [
      "buckets that are not cumulative",
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      /not cumulative/,
    ],
    ["no +Inf bucket", '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /no \+Inf bucket/],
    [
      "+Inf bucket different from _count",
      '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 2\n',
      /differs from _count/,
    ],
  ];
  test.each(rejects)("rejects %s", (_, text, message) => {
    expect(() => parsePrometheusText(text)).toThrow(message);
  });
});
