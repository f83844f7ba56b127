// Splits `executableName` like a POSIX shell would (quotes, backslashes; no expansion), and checks the
// executable exists and may run before any AWS call, so a typo is exit 3 naming the file, not a crash later.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { ConfigurationError, PluginLoadError } from "../../src/core/errors.ts";

export function splitCommandLine(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < command.length && '"\\$`'.includes(command[i + 1]!))
        word += command[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 < command.length) word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) {
    throw new ConfigurationError(
      `executableName ${JSON.stringify(command)}: unterminated ${quote} quote. Close the quote.`,
      { option: "executableName" },
    );
  }
  if (inWord) words.push(word);
  return words;
}

function runnable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute path the child's program resolves to: a name with a slash is relative to `cwd` (the
 * properties file's folder), a bare name is looked up on PATH. Throws PluginLoadError (exit 3).
 */
export function resolveExecutable(
  program: string,
  cwd: string,
  env: Record<string, string | undefined>,
): string {
  const hint = `executableName must name a program that exists and is executable (chmod +x), e.g. "node app.js" or "python3 app.py"`;
  if (program.includes("/")) {
    const path = isAbsolute(program) ? program : resolve(cwd, program);
    if (runnable(path)) return path;
    let why = "does not exist";
    try {
      why = statSync(path).isFile() ? "is not executable" : "is not a file";
    } catch {}
    throw new PluginLoadError(`executableName: ${program} (${path}) ${why}. ${hint}.`, { file: path });
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, program);
    if (runnable(path)) return path;
  }
  throw new PluginLoadError(
    `executableName: ${program} was not found on PATH (or is not executable). ${hint}.`,
    {
      file: program,
    },
  );
}
