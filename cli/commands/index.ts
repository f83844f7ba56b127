// The command list of spec §5.
import type { ArgumentsCamelCase, Argv } from "yargs";
import { demoCommand } from "./demo.ts";
import { leasesCommand } from "./leases-list.ts";
import { localCommand } from "./local.ts";

export interface CliCommand {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv;
  handler: (args: ArgumentsCamelCase) => Promise<number>;
}

function notYet(command: string, describe: string): CliCommand {
  return {
    command,
    describe,
    builder: (y) => y.strict(false),
    async handler() {
      process.stderr.write(`kcl-ts: '${command.split(" ")[0]}' is not yet available in this build.\n`);
      return 2;
    },
  };
}

export const commands: CliCommand[] = [
  notYet("consume", "Consume a Kinesis stream with a TypeScript record processor plugin"),
  leasesCommand,
  localCommand,
  demoCommand,
];
