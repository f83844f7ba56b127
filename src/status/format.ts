// Human units for status text: durations and counts, shared by the event log and the dashboard.

/** 950ms, 12.3s, 1m05s, 2h03m, 3d04h. Negative values read as 0. */
export function formatDuration(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)}ms`;
  if (v < 60_000) return `${(Math.floor(v / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(v / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  const m = Math.floor(s / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)}h${pad2(m % 60)}m`;
  const h = Math.floor(m / 60);
  return `${Math.floor(h / 24)}d${pad2(h % 24)}h`;
}

/** 999, 1.2k, 45k, 1.2M: fits in 5 characters. */
export function formatCount(n: number): string {
  const v = Math.max(0, n);
  if (v < 1000) return String(Math.round(v));
  if (v < 10_000) return `${(Math.floor(v / 100) / 10).toFixed(1)}k`;
  if (v < 1_000_000) return `${Math.floor(v / 1000)}k`;
  if (v < 10_000_000) return `${(Math.floor(v / 100_000) / 10).toFixed(1)}M`;
  return `${Math.floor(v / 1_000_000)}M`;
}

/** 512 B, 1.5 KiB, 12 MiB. */
export function formatBytes(n: number): string {
  const v = Math.max(0, n);
  if (v < 1024) return `${Math.round(v)} B`;
  if (v < 1024 * 1024) return `${trim(v / 1024)} KiB`;
  return `${trim(v / (1024 * 1024))} MiB`;
}

function trim(v: number): string {
  return v < 10 ? (Math.floor(v * 10) / 10).toFixed(1) : String(Math.floor(v));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
