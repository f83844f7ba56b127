// The command list of spec §5.
import type { ArgumentsCamelCase, Argv } from "yargs";

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
  notYet("leases <action>", "Inspect the lease table (leases list)"),
  notYet("local", "Serve embedded Kinesis + DynamoDB emulators on one loopback port"),
  notYet("demo", "Show the seed scenarios live with embedded emulators (no AWS account)"),
];
