// The demo's worker processes: each is this CLI running `consume --output json`; its JSON event
// lines are parsed and handed to the demo, its stderr is passed through with the worker's name.
import { type ChildProcess, spawn } from "node:child_process";

export interface DemoWorker {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  readonly alive: boolean;
  signal(signal: NodeJS.Signals): void;
}

export interface SpawnWorkerOptions {
  /** argv prefix that runs kcl-ts (see self-command.ts). */
  command: string[];
  args: string[];
  env: Record<string, string | undefined>;
  /** A parsed JSON line with a `type`: an engine event or a records-summary (see cli/output/json.ts). */
  onEvent: (worker: string, event: { type: string } & Record<string, unknown>) => void;
  onStderr: (worker: string, line: string) => void;
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) onLine(line);
  });
}

export function spawnWorker(name: string, options: SpawnWorkerOptions): DemoWorker {
  const [exe, ...prefix] = options.command;
  const child: ChildProcess = spawn(exe as string, [...prefix, ...options.args], {
    env: { ...options.env, FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group: Ctrl-C in the terminal reaches only the demo, which stops workers in order.
    detached: true,
  });
  let alive = true;
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      alive = false;
      resolve(code);
    });
    child.on("error", (error) => {
      alive = false;
      options.onStderr(name, `could not start: ${error.message}`);
      resolve(null);
    });
  });
  if (child.stdout) {
    lines(child.stdout, (line) => {
      if (!line.startsWith("{")) return;
      try {
        const event = JSON.parse(line);
        if (typeof event?.type === "string") options.onEvent(name, event);
      } catch {
        // A plugin printing something that looks like JSON: not an event.
      }
    });
  }
  if (child.stderr) lines(child.stderr, (line) => line.trim() && options.onStderr(name, line));
  return {
    name,
    pid: child.pid ?? -1,
    exited,
    get alive() {
      return alive;
    },
    signal(signal) {
      if (!alive) return;
      try {
        child.kill(signal);
      } catch {
        // Already gone.
      }
    },
  };
}
