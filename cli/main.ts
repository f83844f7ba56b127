#!/usr/bin/env bun
// The kcl-ts command: argv parsing only. Each command lives in cli/commands/<name>.ts as a thin
// yargs builder over a plain run(args, deps) function that returns an exit code.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import yargs, { type Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import { version } from "./version.ts";
import { type CliCommand, commands } from "./commands/index.ts";

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  // yargs still runs the handler after a validation failure when .fail() does not throw.
  let usageFailed = false;
  const parser = yargs(argv)
    .scriptName("kcl-ts")
    .usage("kcl-ts <command> [options]\n\nA native TypeScript Kinesis Client Library.")
    .version(version)
    .help()
    .alias("h", "help")
    .strict()
    .demandCommand(1, "Name a command: consume, leases list|reset|lag|drain, local, demo.")
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
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
  commands.reduce(register, parser);
  await parser.parseAsync();
  return exitCode;
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
  main(hideBin(process.argv)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`kcl-ts: unexpected error (this is a bug): ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
