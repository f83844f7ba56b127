// The command list of spec §5. Each entry names and describes a command and loads the module that
// implements it only when that command runs: `--version` and `--help` never load the AWS SDK, Ink/React,
// the emulators or prom-client (start-up cost, issue 19). To add a command: one entry here whose
// `command` and `describe` equal the module's (test/cli/lazy-commands.test.ts checks every entry).
import type { ArgumentsCamelCase, Argv } from "yargs";

export interface CliCommand {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv;
  handler: (args: ArgumentsCamelCase) => Promise<number>;
  /** Nested commands (`leases list|reset|lag|drain`): each runs its own handler. */
  subcommands?: CliCommand[];
}

/** A top-level command before its module is loaded: what `kcl-ts --help` lists. */
export interface CommandEntry {
  command: string;
  describe: string;
  load: () => Promise<CliCommand>;
}

export const commands: CommandEntry[] = [
  {
    command: "consume",
    describe: "Consume a Kinesis stream with a TypeScript record processor plugin",
    load: async () => (await import("./consume.ts")).consumeCommand,
  },
  {
    command: "multilang",
    describe: "Run a MultiLangDaemon processor (Python, Node, Ruby, .NET): no JVM",
    load: async () => (await import("./multilang.ts")).multilangCommand,
  },
  {
    command: "leases",
    describe: "Operate on a lease table: list | reset | lag | drain (each with --json)",
    load: async () => (await import("./leases.ts")).leasesCommand,
  },
  {
    command: "consumers <action>",
    describe: "Enhanced fan-out consumers of a stream: list | deregister (--json)",
    load: async () => (await import("./consumers.ts")).consumersCommand,
  },
  {
    command: "local",
    describe: "Embedded Kinesis + DynamoDB emulators on one loopback port (no AWS)",
    load: async () => (await import("./local.ts")).localCommand,
  },
  {
    command: "demo",
    describe: "Watch a local fleet consume, rebalance, reshard, fail over (no AWS)",
    load: async () => (await import("./demo.ts")).demoCommand,
  },
];

/** The entry argv invokes: its first word that is not an option (undefined for `--help`, `--version`, typos). */
export function invokedEntry(argv: readonly string[]): CommandEntry | undefined {
  const first = argv.find((a) => !a.startsWith("-"));
  return commands.find((c) => c.command.split(" ")[0] === first);
}
