// `kcl-ts --version` and `kcl-ts --help` answered without yargs: loading yargs alone costs about as much
// start-up as everything else together (measured in the compiled binary, issue 19), and these two need no
// parsing. The help text has yargs' layout; when it would not fit the terminal, yargs answers (it wraps).
import { commands } from "./commands/index.ts";
import { version } from "./version.ts";

export const USAGE = "kcl-ts <command> [options]\n\nA native TypeScript Kinesis Client Library.";

const OPTIONS: [string, string][] = [
  ["      --version", "Show version number"],
  ["  -h, --help", "Show help"],
];

/** The output for argv that needs no parsing, or undefined (then yargs parses). */
export function quickAnswer(argv: readonly string[], width: number): string | undefined {
  if (argv.length !== 1) return undefined;
  if (argv[0] === "--version") return `${version}\n`;
  if (argv[0] === "--help" || argv[0] === "-h") return topLevelHelp(width);
  return undefined;
}

/** yargs' top-level help at this wrap width; undefined when a line would need wrapping. */
export function topLevelHelp(width: number): string | undefined {
  const names = commands.map((c) => `kcl-ts ${c.command}`);
  const nameWidth = Math.max(...names.map((n) => n.length)) + 2;
  const optionWidth = Math.max(...OPTIONS.map(([o]) => o.length)) + 2;
  const lines = [
    USAGE,
    "",
    "Commands:",
    ...commands.map((c, i) => `  ${names[i]!.padEnd(nameWidth)}${c.describe}`),
    "",
    "Options:",
    ...OPTIONS.map(
      ([o, d]) => `${`${o.padEnd(optionWidth)}${d}`.padEnd(width - "[boolean]".length)}[boolean]`,
    ),
  ];
  if (lines.some((l) => l.length > width) || OPTIONS.some(([o, d]) => o.length + d.length + 12 > width)) {
    return undefined;
  }
  return `${lines.join("\n")}\n`;
}
