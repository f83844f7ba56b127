#!/usr/bin/env bun
// The kcl-ts command: argv parsing only. Each command lives in cli/commands/<name>.ts as a thin
// yargs builder over a plain run(args, deps) function that returns an exit code. Only the invoked
// command's module is loaded (cli/commands/index.ts): the others are listed by name and description.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Argv } from "yargs";
import { type CliCommand, commands, invokedEntry } from "./commands/index.ts";
import { quickAnswer, USAGE } from "./quick-answers.ts";
import { version } from "./version.ts";

export interface MainOptions {
  /** Answer `--version` / `--help` without loading yargs (default true; tests compare both ways). */
  quick?: boolean;
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const width = Math.min(110, process.stdout.columns || 100);
  const quick = options.quick === false ? undefined : quickAnswer(argv, width);
  if (quick !== undefined) {
    process.stdout.write(quick);
    return 0;
  }
  const { default: yargs } = await import("yargs");
  let exitCode = 0;
  // yargs still runs the handler after a validation failure when .fail() does not throw.
  let usageFailed = false;
  const parser = yargs(argv)
    .scriptName("kcl-ts")
    .usage(USAGE)
    .version(version)
    .help()
    .alias("h", "help")
    .strict()
    .demandCommand(
      1,
      "Name a command: consume, multilang, leases list|reset|lag|drain, consumers list|deregister, local, demo.",
    )
    .recommendCommands()
    .wrap(width)
    .fail((message, error) => {
      if (error) throw error;
      process.stderr.write(`kcl-ts: ${message}\nRun 'kcl-ts --help' for usage.\n`);
      exitCode = 2;
      usageFailed = true;
    });
  const register = (y: Argv, command: CliCommand): Argv =>
    y.command(
      command.command,
      command.describe,
      (sub) => (command.subcommands ?? []).reduce(register, command.builder(sub)),
      async (args) => {
        if (!usageFailed) exitCode = await command.handler(args);
      },
    );
  const invoked = invokedEntry(argv);
  const loaded = invoked ? await invoked.load() : undefined;
  for (const entry of commands) {
    if (entry === invoked && loaded) register(parser, loaded);
    // Never runs: yargs runs a handler only for the command argv names, and that one is loaded.
    else parser.command(entry.command, entry.describe, (y) => y, notLoaded);
  }
  await parser.parseAsync();
  return exitCode;
}

async function notLoaded(): Promise<void> {
  throw new Error("kcl-ts: a command ran without its module loaded");
}

/** Bun and Deno set import.meta.main; Node (via tsx) does not, so compare the entry script's path. */
function isEntryPoint(): boolean {
  if (typeof import.meta.main === "boolean") return import.meta.main;
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // What yargs' hideBin does outside Electron: drop the runtime and the script.
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`kcl-ts: unexpected error (this is a bug): ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
