// Compiled-binary harness: builds an executable once per test process into a private temporary
// directory outside the project (so no node_modules is reachable from it) and removes it at exit.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BuiltBinary, buildBinary, PROJECT_ROOT } from "../../build/binary.ts";

const dirs: string[] = [];
const builds = new Map<string, Promise<BuiltBinary>>();

/** A fresh directory under the OS temp dir, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  dirs.push(dir);
  return dir;
}

process.on("exit", () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * The binary of `entry` (default: the kcl-ts CLI), built at most once per test process and shared by
 * every suite. Each run builds its own copy: concurrent test runs in one tree never share dist/.
 */
export function compiledBinary(entry = join(PROJECT_ROOT, "cli", "main.ts")): Promise<BuiltBinary> {
  let build = builds.get(entry);
  if (!build) {
    const outfile = join(tempDir("kcl-ts-binary"), "kcl-ts");
    build = buildBinary({ entry, outfile });
    builds.set(entry, build);
  }
  return build;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs a binary to completion with a minimal environment (no inherited AWS, Bun or npm settings).
 * Asynchronous: the test emulators serve in this process and must keep answering meanwhile.
 */
export function runBinary(
  exe: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<RunResult> {
  const started = performance.now();
  const child = spawn(exe, args, {
    cwd: options.cwd,
    // PATH holds only the run directory: neither bun nor node is reachable, as on a user machine.
    env: { PATH: options.cwd, HOME: options.cwd, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}
