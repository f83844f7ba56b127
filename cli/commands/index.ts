// The command list of spec §5.
import type { ArgumentsCamelCase, Argv } from "yargs";
import { consumeCommand } from "./consume.ts";
import { consumersCommand } from "./consumers.ts";
import { demoCommand } from "./demo.ts";
import { leasesCommand } from "./leases.ts";
import { localCommand } from "./local.ts";
import { multilangCommand } from "./multilang.ts";

export interface CliCommand {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv;
  handler: (args: ArgumentsCamelCase) => Promise<number>;
  /** Nested commands (`leases list|reset|lag|drain`): each runs its own handler. */
  subcommands?: CliCommand[];
}

export const commands: CliCommand[] = [
  consumeCommand,
  multilangCommand,
  leasesCommand,
  consumersCommand,
  localCommand,
  demoCommand,
];
