// CPU of a process and every descendant (Linux /proc): what `multilang` costs is the daemon plus its
// per-shard children. Exited children that were waited for count through the parent's cutime/cstime.
import { readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  ppid: number;
  /** utime + stime, in ticks. */
  own: number;
  /** cutime + cstime: children already waited for, in ticks. */
  waited: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // f[0] is field 3: ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), waited: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** CPU seconds of `pid` and its live descendants, plus exited children it has reaped. */
export function treeCpuSeconds(pid: number): number | undefined {
  const root = readStat(pid);
  if (!root) return undefined;
  const byParent = new Map<number, number[]>();
  const stats = new Map<number, Stat>();
  for (const name of readdirSync("/proc")) {
    const p = Number(name);
    if (!Number.isInteger(p)) continue;
    const s = readStat(p);
    if (!s) continue;
    stats.set(p, s);
    byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), p]);
  }
  let ticks = root.own + root.waited;
  const queue = [...(byParent.get(pid) ?? [])];
  while (queue.length > 0) {
    const p = queue.pop()!;
    const s = stats.get(p)!;
    ticks += s.own + s.waited;
    queue.push(...(byParent.get(p) ?? []));
  }
  return ticks / CLOCK_TICKS;
}
