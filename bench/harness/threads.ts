// CPU per OS thread of another process, from /proc/<pid>/task/<tid>/stat (Linux), grouped by what the
// thread does in Bun/JavaScriptCore: the main JavaScript thread, a Worker (kcl-ts's lease thread), the
// JIT compilers, the garbage collector's helpers, the allocator's scavenger, and the rest.
import { readdirSync, readFileSync } from "node:fs";
import { CLOCK_TICKS } from "./proc.ts";

/** Thread groups, in the order reports print them. */
export const THREAD_GROUPS = ["main", "worker", "jit", "gc", "allocator", "other"] as const;
export type ThreadGroup = (typeof THREAD_GROUPS)[number];
export type ThreadCpu = Record<ThreadGroup, number>;

/** Which group a thread belongs to, by its name (comm, at most 15 characters; "main" for the main thread). */
export function threadGroup(name: string): ThreadGroup {
  if (name === "main") return "main";
  if (name === "Worker") return "worker";
  if (name.startsWith("JIT")) return "jit";
  if (name.startsWith("Heap")) return "gc";
  if (name === "mi-scavenger") return "allocator";
  return "other";
}

export function emptyThreadCpu(): ThreadCpu {
  return { main: 0, worker: 0, jit: 0, gc: 0, allocator: 0, other: 0 };
}

/**
 * CPU seconds so far (utime + stime) per thread name of `pid`, the main thread (tid = pid) as "main";
 * undefined once the process is gone. Threads that already ended are not counted.
 */
export function threadCpuByName(pid: number): Map<string, number> | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const out = new Map<string, number>();
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const seconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
      const key = Number(tid) === pid ? "main" : name;
      out.set(key, (out.get(key) ?? 0) + seconds);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** CPU seconds so far per thread group of `pid`; undefined once it is gone. */
export function threadCpu(pid: number): ThreadCpu | undefined {
  const byName = threadCpuByName(pid);
  if (!byName) return undefined;
  const out = emptyThreadCpu();
  for (const [name, s] of byName) out[threadGroup(name)] += s;
  return out;
}

/** after − before per group, scaled by `factor` (e.g. per 100k records), rounded to 3 digits. */
export function threadCpuDelta(before: ThreadCpu, after: ThreadCpu, factor = 1): ThreadCpu {
  const out = emptyThreadCpu();
  for (const g of THREAD_GROUPS) out[g] = Math.round((after[g] - before[g]) * factor * 1000) / 1000;
  return out;
}
