// Child processes of a benchmark run: spawned with stdout/stderr going to files (nothing to drain),
// sampled for CPU/RSS, stopped within a bound, and never left running when the harness exits.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ProcSample, sampleProcess } from "./proc.ts";

export const REPO = join(import.meta.dir, "..", "..");
/** The bun running the harness: consumers run on the same runtime. */
export const BUN = process.execPath;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Wall-clock ms. */
  at: number;
}

export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  /** Wall-clock ms just before spawn: benchmark times count from here ("from a CLI start"). */
  readonly startedAt: number;
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly stdoutFile: string;
  readonly stderrFile: string;
  isRunning(): boolean;
  /** CPU/RSS now (undefined once exited); also feeds peakRssBytes. */
  sample(): ProcSample | undefined;
  /** Highest peak RSS seen by any sample so far. */
  peakRssBytes(): number;
  signal(sig: NodeJS.Signals): void;
  /** Sends `sig` (null: none, just wait for the exit), waits up to timeoutMs, then SIGKILLs. */
  stop(sig?: NodeJS.Signals | null, timeoutMs?: number): Promise<Exit & { forced: boolean }>;
  stderrTail(chars?: number): string;
}

const live = new Set<BenchProcess>();

export interface SpawnOptions {
  /** Directory for <name>.stdout / <name>.stderr. */
  logDir: string;
  env?: Record<string, string>;
  /** Executable (default: bun). */
  exe?: string;
  /** Keep stdin/stdout as pipes (the emulator server's control channel). */
  pipes?: boolean;
  /**
   * Run inside a pseudo-terminal of this size (util-linux `script`), so that the consumer sees a
   * TTY on stdin and stdout exactly as on an operator's terminal; the screen goes to <name>.stdout.
   * pid, sample() and signal() then address the consumer, not `script`.
   */
  pty?: { cols: number; rows: number };
}

/** Quotes one argument for `sh -c`. */
function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The first child of `pid` (Linux /proc), if it has one yet. */
function firstChild(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return children ? Number(children.split(" ")[0]) : undefined;
  } catch {
    return undefined;
  }
}

export function spawnBench(name: string, args: string[], options: SpawnOptions): BenchProcess {
  mkdirSync(options.logDir, { recursive: true });
  const stdoutFile = join(options.logDir, `${name}.stdout`);
  const stderrFile = join(options.logDir, `${name}.stderr`);
  const outFd = openSync(stdoutFile, "w");
  const errFd = openSync(stderrFile, "w");
  const startedAt = Date.now();
  const exe = options.exe ?? BUN;
  const env: Record<string, string | undefined> = {
    ...process.env,
    FORCE_COLOR: "0",
    NO_COLOR: "1",
    ...options.env,
  };
  let command = exe;
  let commandArgs = args;
  if (options.pty) {
    // A terminal renders colours: no NO_COLOR/CI there, as on an operator's screen. The shell
    // execs the consumer, so the shell's pid (script's first child) becomes the consumer's.
    for (const name of ["FORCE_COLOR", "NO_COLOR", "CI"]) delete env[name];
    env.TERM = "xterm-256color";
    const { cols, rows } = options.pty;
    const inner = [exe, ...args].map(shellQuote).join(" ");
    command = "script";
    commandArgs = ["-qfec", `stty cols ${cols} rows ${rows}; exec ${inner}`, "/dev/null"];
  }
  const child = spawn(command, commandArgs, {
    cwd: REPO,
    env,
    stdio: options.pipes ? ["pipe", "pipe", errFd] : ["ignore", outFd, errFd],
  });
  closeSync(outFd);
  closeSync(errFd);
  if (child.pid === undefined)
    throw new Error(`${name}: could not start ${options.exe ?? BUN} ${args.join(" ")}`);
  let running = true;
  let peak = 0;
  const exited = new Promise<Exit>((resolve) => {
    child.on("exit", (code, signal) => {
      running = false;
      live.delete(proc);
      resolve({ code, signal, at: Date.now() });
    });
  });
  let consumerPid = options.pty ? undefined : child.pid;
  const proc: BenchProcess = {
    name,
    get pid() {
      consumerPid ??= firstChild(child.pid!);
      return consumerPid ?? child.pid!;
    },
    startedAt,
    child,
    exited,
    stdoutFile,
    stderrFile,
    isRunning: () => running,
    sample() {
      if (!running) return undefined;
      const s = sampleProcess(proc.pid);
      if (s) peak = Math.max(peak, s.peakRssBytes);
      return s;
    },
    peakRssBytes: () => peak,
    signal(sig) {
      if (!running) return;
      try {
        process.kill(proc.pid, sig);
      } catch {
        // already gone
      }
    },
    async stop(sig = "SIGTERM", timeoutMs = 15_000) {
      if (sig) proc.signal(sig);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const forced = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (forced) {
        proc.signal("SIGKILL");
        child.kill("SIGKILL");
      }
      return { ...(await exited), forced };
    },
    stderrTail(chars = 2000) {
      try {
        return readFileSync(stderrFile, "utf8").slice(-chars);
      } catch {
        return "";
      }
    },
  };
  live.add(proc);
  return proc;
}

/** SIGKILLs every process still running. */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop("SIGKILL", 5000)));
}

process.on("exit", () => {
  for (const p of live) {
    p.signal("SIGKILL");
    p.child.kill("SIGKILL");
  }
});
