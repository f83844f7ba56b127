// The README's multilang section lists exactly the property keys the code maps and ignores.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONSUME_OPTIONS } from "../../cli/consume-options.ts";
import { IGNORED_KEYS, MAPPED_KEYS, MULTILANG_KEYS } from "../../cli/multilang/keys.ts";

const README = readFileSync(join(import.meta.dir, "../../README.md"), "utf8");
const start = README.indexOf("### `kcl-ts multilang`");
const section = README.slice(start, README.indexOf("\n## ", start));

test("the key table is MAPPED_KEYS + executableName/timeoutInSeconds, each with its flag", () => {
  const rows = [...section.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map(
    (m) => [m[1]!, m[2]!.trim()] as const,
  );
  expect(rows.map(([key]) => key).sort()).toEqual([...Object.keys(MAPPED_KEYS), ...MULTILANG_KEYS].sort());
  for (const [key, flag] of rows) {
    expect(flag).toBe(MAPPED_KEYS[key]?.option ?? "—");
  }
});

test("the ignored list is IGNORED_KEYS", () => {
  const para = section.slice(
    section.indexOf("Accepted and listed once as ignored"),
    section.indexOf("Credentials come from"),
  );
  const listed = [...para.matchAll(/`(\w+)`/g)].map((m) => m[1]);
  expect(listed).toEqual([...IGNORED_KEYS]);
});

test("every flag a property key maps to is a consume flag", () => {
  for (const [key, spec] of Object.entries(MAPPED_KEYS)) {
    for (const [, flag] of spec.option.matchAll(/--([a-z-]+)/g)) {
      expect({ key, flag, known: flag! in CONSUME_OPTIONS }).toEqual({ key, flag, known: true });
    }
  }
});
