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
