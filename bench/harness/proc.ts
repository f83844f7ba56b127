// CPU and memory of another process from /proc (Linux): utime + stime in seconds, current and peak
// RSS. Read from outside so that what a consumer costs is measured the same way for every consumer.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ProcSample {
  /** utime + stime of every thread so far, in seconds. */
  cpuSeconds: number;
  rssBytes: number;
  /** VmHWM: the peak resident set size so far. */
  peakRssBytes: number;
}

function getconf(name: string, fallback: number): number {
  try {
    return Number(execFileSync("getconf", [name], { encoding: "utf8" }).trim()) || fallback;
  } catch {
    return fallback;
  }
}

export const CLOCK_TICKS = getconf("CLK_TCK", 100);
const PAGE_BYTES = getconf("PAGESIZE", 4096);

/** undefined once the process is gone (or where there is no /proc). */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name (which may itself contain spaces).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): utime is field 14, stime 15, rss 24.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssPages = Number(fields[21]);
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return {
      cpuSeconds: (utime + stime) / CLOCK_TICKS,
      rssBytes: rssPages * PAGE_BYTES,
      peakRssBytes: hwm ? Number(hwm[1]) * 1024 : rssPages * PAGE_BYTES,
    };
  } catch {
    return undefined;
  }
}

export const procAvailable = sampleProcess(process.pid) !== undefined;
