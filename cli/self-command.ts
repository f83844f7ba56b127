// How to start this same kcl-ts CLI as a child process (the demo's workers): the compiled binary
// alone, or the runtime plus cli/main.ts when running from source.
import { fileURLToPath } from "node:url";

/** True inside a `bun build --compile` executable (its modules live in Bun's embedded /$bunfs). */
export function isCompiled(moduleUrl: string = import.meta.url): boolean {
  return moduleUrl.includes("$bunfs") || moduleUrl.includes("~BUN");
}

/** argv prefix that runs kcl-ts: append the command and its flags. */
export function selfCommand(
  runtime: { execPath: string; execArgv: string[] } = process,
  moduleUrl: string = import.meta.url,
): string[] {
  if (isCompiled(moduleUrl)) return [runtime.execPath];
  const main = fileURLToPath(new URL("./main.ts", moduleUrl));
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  // execArgv keeps loader flags (e.g. tsx's --import) that make the runtime understand TypeScript.
  return deno ? [runtime.execPath, "run", "-A", main] : [runtime.execPath, ...runtime.execArgv, main];
}
