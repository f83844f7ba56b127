// Start-up (issue 19): `kcl-ts --version` / `--help` load neither yargs nor any command's modules, and
// each lazily loaded command is the one its entry lists.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { commands } from "../../cli/commands/index.ts";
import { topLevelHelp } from "../../cli/quick-answers.ts";
import { parseImports } from "../support/arch.ts";

const ROOT = join(import.meta.dir, "..", "..");
const HEAVY = /^(@aws-sdk|@smithy)\/|^(ink|react|yargs|prom-client|dynalite|kinesalite|kinesis-local)(\/|$)/;

/** Every module the file evaluates at load time: static value imports, followed through project files. */
function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const ref of parseImports(readFileSync(file, "utf8"))) {
      if (ref.kind !== "static" || ref.typeOnly) continue;
      if (!ref.specifier.startsWith(".")) {
        packages.add(ref.specifier);
        continue;
      }
      const target = resolve(dirname(file), ref.specifier);
      if (existsSync(target) && /\.tsx?$/.test(target)) visit(target);
    }
  };
  visit(join(ROOT, entry));
  return { files: [...files].map((f) => relative(ROOT, f)).sort(), packages: [...packages].sort() };
}

describe("lazy commands", () => {
  test("cli/main.ts loads no command module, no yargs, no AWS SDK, Ink/React, emulators or prom-client", () => {
    const graph = staticGraph("cli/main.ts");
    expect(graph.files).toContain("cli/commands/index.ts");
    expect(graph.files.filter((f) => f.startsWith("cli/commands/") && f !== "cli/commands/index.ts")).toEqual(
      [],
    );
    expect(graph.packages.filter((p) => HEAVY.test(p))).toEqual([]);
  });

  test.each(commands.map((c) => [c.command, c] as const))(
    "%s: the loaded command is the one its entry lists",
    async (_, entry) => {
      const loaded = await entry.load();
      expect(loaded.command).toBe(entry.command);
      expect(loaded.describe).toBe(entry.describe);
    },
  );

  test("the quick --help is yargs' own --help, byte for byte", () => {
    // yargs exits the process after printing help: ask it in a child (stdout is a pipe: width 100).
    const script = `const { main } = await import(${JSON.stringify(join(ROOT, "cli/main.ts"))}); await main(["--help"], { quick: false });`;
    const child = Bun.spawnSync([process.execPath, "-e", script], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(child.stderr.toString()).toBe("");
    expect(child.stdout.toString()).toBe(topLevelHelp(100)!);
  });

  test("a terminal too narrow for the quick help gets yargs' wrapping instead", () => {
    expect(topLevelHelp(60)).toBeUndefined();
  });
});
