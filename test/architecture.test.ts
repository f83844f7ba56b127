// Architecture rules (architecture.md): the engine stays headless, SDK-free outside its adapters, and on
// injected time; the fixtures prove that every rule can fail.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ArchRule,
  checkFile,
  formatViolations,
  maskSource,
  parseImports,
  RULES,
  scanTree,
  type Violation,
} from "./support/arch.ts";

const ROOT = join(import.meta.dir, "..");
const FIXTURES = join(import.meta.dir, "fixtures", "arch-violations");
const key = (v: Pick<Violation, "rule" | "file" | "line">) => `${v.file}:${v.line} ${v.rule}`;

/** The reports the fixtures expect, from their `// VIOLATION: rule[, rule]` markers. */
function expectedFromMarkers(files: string[]): string[] {
  const expected: string[] = [];
  for (const file of files) {
    readFileSync(join(FIXTURES, file), "utf8")
      .split("\n")
      .forEach((text, i) => {
        const marker = /\/\/ VIOLATION: ([\w\s,-]+)$/.exec(text);
        for (const rule of marker?.[1]?.split(",") ?? [])
          expected.push(key({ file, line: i + 1, rule: rule.trim() as ArchRule }));
      });
  }
  return expected.sort();
}

describe("the engine (src/)", () => {
  test("obeys every architecture rule", () => {
    const { files, violations } = scanTree(ROOT);
    // Guards against a scanner that silently finds nothing (wrong root, broken walk).
    expect(files).toContain("src/core/clock.ts");
    expect(files).toContain("src/config/resolve.ts");
    if (violations.length > 0) throw new Error(formatViolations(violations));
  });
});

describe("the fixtures prove each rule can fail", () => {
  const { files, violations } = scanTree(FIXTURES);

  test("every marked violation is reported, and nothing else", () => {
    expect(violations.map(key).sort()).toEqual(expectedFromMarkers(files));
  });

  test.each(Object.keys(RULES) as ArchRule[])("rule %s has failing fixtures", (rule) => {
    expect(violations.filter((v) => v.rule === rule).length).toBeGreaterThanOrEqual(3);
  });

  test("files outside src/ are not subject to the engine rules", () => {
    const cli = readFileSync(join(FIXTURES, "cli/commands/run.ts"), "utf8");
    expect(checkFile("cli/commands/run.ts", cli)).toEqual([]);
    expect(checkFile("src/commands/run.ts", cli).map((v) => v.rule)).toEqual(
      expect.arrayContaining([
        "engine-no-ui",
        "aws-sdk-in-adapters",
        "time-via-clock",
        "engine-no-exit-or-console",
      ]),
    );
  });

  test("the failure message explains each rule once and names file:line:column and what was found", () => {
    const message = formatViolations(violations);
    expect(message).toStartWith(`${violations.length} architecture violation(s):`);
    for (const rule of Object.keys(RULES) as ArchRule[]) {
      expect(message.split(`[${rule}] ${RULES[rule]}`)).toHaveLength(2);
    }
    expect(message).toContain('src/engine/ui-imports.ts:2:24  import "ink"');
    expect(message).toContain('src/kinesis/polling.ts:2:36  import type "@aws-sdk/client-kinesis"');
    expect(message).toContain("src/lifecycle/timers.ts:5:11  Date.now");
    expect(message).toContain("src/lifecycle/timers.ts:6:11  new Date()");
    expect(message).toContain("src/lifecycle/timers.ts:16:11  Date.now");
    expect(message).toContain("src/coordinator/shutdown.ts:8:3  process.exit");
    // The routes the first scanner missed (issue 12): each reported where it is, as what it is.
    expect(message).toContain('src/engine/template-imports.ts:2:26  dynamic() "ink"');
    expect(message).toContain("src/leases/hidden-clock.ts:6:11  process.hrtime");
    expect(message).toContain("src/leases/hidden-clock.ts:8:11  AbortSignal.timeout");
    expect(message).toContain("src/leases/hidden-clock.ts:9:18  randomUUID");
    expect(message).toContain("src/leases/hidden-clock.ts:15:7  Bun.sleep");
    expect(message).toContain("src/leases/hidden-clock.ts:17:11  Date");
    expect(message).toContain("src/coordinator/process-hooks.ts:3:3  process.exitCode");
    expect(message).toContain("src/coordinator/process-hooks.ts:4:3  process.on");
    expect(message).toContain("src/coordinator/process-hooks.ts:6:9  { stdout } = process");
    expect(RULES["time-via-clock"]).toContain("Take the injected Clock");
    expect(message).toContain('src/status/metrics-server.ts:2:35  import "prom-client"');
    expect(message).toContain('src/status/metrics-server.ts:4:30  import "node:http"');
  });
});

describe("scanner", () => {
  test("masking keeps offsets and newlines, blanks comments, strings, template text and regexes", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source text under test
    const source = 'a(/* x */"s", `t${b}u`, /re/g) // c\nd';
    const { code, strings } = maskSource(source);
    expect(code).toHaveLength(source.length);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the masked source text
    expect(code).toBe('a(       " ", ` ${b} `, /  /g)     \nd');
    expect([...strings.entries()]).toEqual([[9, "s"]]);
  });

  test("parses static, side-effect, re-export, multi-line, dynamic and require imports with positions", () => {
    const source = [
      'import a from "a";',
      'import type { B } from "b";',
      'import "c";',
      'export * from "d";',
      "import {",
      "  e,",
      '} from "e";',
      'const f = await import("f");',
      'const g = require("g");',
      '// import h from "h";',
      "const i = \"import j from 'j'\";",
      "export const from = 1;",
      "const k = Array.from(x);",
      "const l = await import(`l`);",
    ].join("\n");
    expect(parseImports(source).map((r) => [r.specifier, r.line, r.column, r.kind, r.typeOnly])).toEqual([
      ["a", 1, 15, "static", false],
      ["b", 2, 24, "static", true],
      ["c", 3, 8, "static", false],
      ["d", 4, 15, "static", false],
      ["e", 7, 8, "static", false],
      ["f", 8, 24, "dynamic", false],
      ["g", 9, 19, "require", false],
      ["l", 14, 24, "dynamic", false],
    ]);
  });

  test("a division is not mistaken for a regex, and a regex holding a quote does not open a string", () => {
    expect(checkFile("src/x.ts", "const r = a / b / Date.now();").map((v) => v.found)).toEqual(["Date.now"]);
    expect(checkFile("src/x.ts", 'const r = /"/.test(s) && Math.random();').map((v) => v.found)).toEqual([
      "Math.random",
    ]);
  });
});
