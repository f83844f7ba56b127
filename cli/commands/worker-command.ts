// What `consume` and `multilang` share as yargs commands: the option table as flags, and the real
// process (stdio, signals, exit, worker factory) as their dependencies.
import { hostname } from "node:os";
import type { Argv } from "yargs";
import { createWorker } from "../../src/index.ts";
import { CONSUME_OPTIONS } from "../consume-options.ts";
import type { ConsumeDeps } from "./consume.ts";

export interface OptionPresentation {
  skip?: readonly string[];
  describe?: (flag: string, text: string) => string;
  group?: (group: string) => string;
}

/** yargs options from the one option table (no yargs defaults: unset flags must not hide the config file). */
export function withConsumeOptions(y: Argv, how: OptionPresentation = {}): Argv {
  let built = y;
  for (const [flag, spec] of Object.entries(CONSUME_OPTIONS)) {
    if (how.skip?.includes(flag)) continue;
    built = built.option(flag, {
      type: spec.type,
      describe: how.describe ? how.describe(flag, spec.describe) : spec.describe,
      group: how.group ? how.group(spec.group) : `${spec.group}:`,
      ...("choices" in spec ? { choices: spec.choices } : {}),
    });
  }
  return built;
}

/** The running process as a worker command's dependencies. */
export function processDeps(): ConsumeDeps {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    signals: process,
    forceExit: (code) => process.exit(code),
    createWorker,
    hostname,
    pid: process.pid,
  };
}
