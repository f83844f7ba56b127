// Worker-process harness: start `kcl-ts` (or any bun script) as child processes, collect their
// output line by line, signal or kill them by pid, and make sure none outlives the suite.
import { type ChildProcess, spawn } from "node:child_process";

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Every stderr chunk so far. */
  stderr(): string;
  /** Resolves with the exit code (or 128 + signal number style: null code → -1). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout line matching. */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  signal(sig: NodeJS.Signals): void;
  kill(): Promise<void>;
}

const live = new Set<Proc>();

/** Path of the bun executable running this test (works from any cwd, no PATH assumptions). */
export const BUN = process.execPath;

export function startProcess(
  name: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; exe?: string } = {},
): Proc {
  const child = spawn(options.exe ?? BUN, args, {
    cwd: options.cwd,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let err = "";
  let partial = "";
  const waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.slice()) {
        if (w.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    });
  });
  const proc: Proc = {
    name,
    pid: child.pid!,
    child,
    lines,
    stderr: () => err,
    exited,
    waitForLine(match, timeoutMs = 20_000) {
      const test = typeof match === "function" ? match : (l: string) => match.test(l);
      const found = lines.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `${name}: no line matching ${match} within ${timeoutMs} ms\nstderr: ${err.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        waiters.push({
          test,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    signal(sig) {
      try {
        process.kill(child.pid!, sig);
      } catch {
        // already gone
      }
    },
    async kill() {
      proc.signal("SIGKILL");
      await exited;
    },
  };
  live.add(proc);
  return proc;
}

/** SIGKILLs every process still running (call in afterAll). */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.kill()));
}

process.on("exit", () => {
  for (const p of live) p.signal("SIGKILL");
});
