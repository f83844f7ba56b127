// `kcl-ts multilang`: the MultiLangDaemon without a JVM — reads the daemon's .properties file, then runs
// one worker exactly like `consume`, with one child process per held shard as the record processor.
import type { Argv } from "yargs";
import { ConfigurationError } from "../../src/core/errors.ts";
import { type ConsumeArgs, mergeConsumeArgs, pickConsumeArgs, readConfigFile } from "../consume-options.ts";
import type { Child } from "../multilang/child.ts";
import { resolveExecutable, splitCommandLine } from "../multilang/command-line.ts";
import { describeKeys, readPropertiesFile } from "../multilang/config.ts";
import { checkRequired } from "../multilang/keys.ts";
import { multilangProcessor } from "../multilang/processor.ts";
import { type ConsumeDeps, prepareWorker, runWorkerCommand } from "./consume.ts";
import type { CliCommand } from "./index.ts";
import { processDeps, withConsumeOptions } from "./worker-command.ts";

export interface MultilangArgs extends ConsumeArgs {
  properties?: string;
}

/** How long a child may take to exit once its stdin is closed before it is killed. */
export const CHILD_EXIT_GRACE_MS = 5000;

/** Properties file → consume options (flags win over the file, the file over --config), then run. */
export async function runMultilang(flags: MultilangArgs, deps: ConsumeDeps): Promise<number> {
  const children = new Set<Child>();
  try {
    return await runWorkerCommand(async () => {
      const { properties, ...rest } = flags;
      if (!properties) {
        throw new ConfigurationError(
          "--properties is required: the MultiLangDaemon .properties file, e.g. kcl-ts multilang -p app.properties.",
          { option: "properties" },
        );
      }
      if (rest.plugin) {
        throw new ConfigurationError(
          "--plugin does not apply to multilang: the record processor is executableName in the properties file.",
          { option: "plugin" },
        );
      }
      const config = readPropertiesFile(properties, deps.cwd);
      for (const line of describeKeys(config)) deps.stderr.write(`${line}\n`);
      const base = rest.config ? readConfigFile(rest.config, deps.cwd) : {};
      // The Java daemon never checkpoints on its own: children checkpoint, unless --checkpoint auto.
      const args = mergeConsumeArgs(rest, mergeConsumeArgs(config.args, { checkpoint: "manual", ...base }));
      checkRequired(args, config.file);
      const prepared = prepareWorker(args, deps);
      const argv = splitCommandLine(config.settings.executableName);
      if (argv.length === 0) {
        throw new ConfigurationError(
          `${config.file}: executableName is empty. Name the program to run per shard.`,
          {
            option: "executableName",
          },
        );
      }
      argv[0] = resolveExecutable(argv[0]!, config.dir, deps.env);
      const processor = multilangProcessor({
        argv,
        cwd: config.dir,
        env: deps.env,
        timeoutMs: config.settings.timeoutMs,
        exitGraceMs: CHILD_EXIT_GRACE_MS,
        onStderr: (line) => deps.stderr.write(`${line}\n`),
        children,
      });
      return { prepared, processor };
    }, deps);
  } finally {
    // Normally every child has exited by now; a forced or failed stop must not leave any behind.
    for (const child of children) child.kill();
  }
}

function multilangBuilder(y: Argv): Argv {
  const built = y
    .option("properties", {
      alias: ["p", "properties-file"],
      type: "string",
      describe: "The MultiLangDaemon .properties file (executableName, streamName, applicationName, ...)",
      group: "Required:",
    })
    .option("config", {
      type: "string",
      describe: "JSON file with consume options (properties and flags win)",
    });
  // The children checkpoint and the properties file names the stream: options say so in their help.
  return withConsumeOptions(built, {
    skip: ["plugin"],
    describe: (flag, text) =>
      flag === "checkpoint" ? "Checkpoint mode [manual: the children checkpoint]" : text,
    group: (group) => (group === "Required" ? "Override the properties file:" : `${group}:`),
  })
    .example("kcl-ts multilang -p sample.properties", "run an aws-kcl / amazon_kclpy app without Java")
    .epilogue(
      "Flags win over the properties file. Exit codes: 0 clean shutdown, 1 bug, 2 usage/config, 3 executable missing, 4 AWS dependency, 5 --on-error exit.",
    )
    .strict();
}

export const multilangCommand: CliCommand = {
  command: "multilang",
  describe: "Run a MultiLangDaemon processor (Python, Node, Ruby, .NET): no JVM",
  builder: multilangBuilder,
  handler: (argv) =>
    runMultilang(
      { ...pickConsumeArgs(argv), properties: argv.properties as string | undefined },
      processDeps(),
    ),
};
