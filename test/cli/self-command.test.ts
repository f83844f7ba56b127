// How the demo starts its workers: the binary alone when compiled, runtime + cli/main.ts from source.
import { describe, expect, test } from "bun:test";
import { isCompiled, selfCommand } from "../../cli/self-command.ts";

describe("selfCommand", () => {
  test("from source: the runtime, its loader flags, then cli/main.ts", () => {
    const cmd = selfCommand(
      { execPath: "/usr/bin/bun", execArgv: ["--smol"] },
      "file:///repo/cli/self-command.ts",
    );
    expect(cmd).toEqual(["/usr/bin/bun", "--smol", "/repo/cli/main.ts"]);
  });

  test("compiled: the executable alone", () => {
    const url = "file:///$bunfs/root/kcl-ts";
    expect(isCompiled(url)).toBe(true);
    expect(selfCommand({ execPath: "/opt/kcl-ts", execArgv: [] }, url)).toEqual(["/opt/kcl-ts"]);
  });

  test("this test runs from source", () => {
    expect(isCompiled()).toBe(false);
    expect(selfCommand().at(-1)).toMatch(/cli\/main\.ts$/);
  });
});
