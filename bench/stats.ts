// Small statistics for benchmark runs: medians over runs, rounding for display.

export function median(values: readonly (number | null | undefined)[]): number | null {
  const xs = values
    .filter((v): v is number => typeof v === "number" && !Number.isNaN(v))
    .sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

export function round(value: number | null | undefined, digits = 2): number | null {
  if (value === null || value === undefined || Number.isNaN(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Medians of every numeric field that appears in the runs. */
export function medians<T extends object>(runs: readonly T[], keys: readonly (keyof T & string)[]) {
  const out: Record<string, number | null> = {};
  for (const key of keys) out[key] = round(median(runs.map((r) => r[key] as number | null)), 3);
  return out;
}

/** mulberry32: a seeded generator, so a bootstrap interval is the same every time it is recomputed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Percentile bootstrap interval of the median (default 95 %, 10,000 resamples, fixed seed). */
export function bootstrapMedian(
  values: readonly number[],
  level = 0.95,
  resamples = 10_000,
): { low: number | null; high: number | null } {
  if (values.length === 0) return { low: null, high: null };
  const random = seeded(17);
  const medians = new Float64Array(resamples);
  const sample = new Array<number>(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[Math.floor(random() * values.length)]!;
    medians[r] = median(sample)!;
  }
  medians.sort();
  const tail = (1 - level) / 2;
  return {
    low: medians[Math.floor(tail * resamples)]!,
    high: medians[Math.min(resamples - 1, Math.ceil((1 - tail) * resamples) - 1)]!,
  };
}
