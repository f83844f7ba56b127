// The command list of spec §5.
import type { ArgumentsCamelCase, Argv } from "yargs";
import { consumeCommand } from "./consume.ts";
import { consumersCommand } from "./consumers.ts";
import { demoCommand } from "./demo.ts";
import { leasesCommand } from "./leases-list.ts";
import { localCommand } from "./local.ts";

export interface CliCommand {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv;
  handler: (args: ArgumentsCamelCase) => Promise<number>;
}

export const commands: CliCommand[] = [
  consumeCommand,
  leasesCommand,
  consumersCommand,
  localCommand,
  demoCommand,
];
