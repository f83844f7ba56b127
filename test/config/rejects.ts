// Assertion helper: resolveConfig rejects with a ConfigurationError whose message names the option,
// the value, the rule and the fix, in the form "--<option> <value>: <rule>. <fix>".
import { expect } from "bun:test";
import type { KclOptions } from "../../src/config/options.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import { ConfigurationError } from "../../src/core/errors.ts";

export const BASE = { app: "billing", stream: "orders" } as const;

export interface Rejection {
  /** Flag name without dashes, e.g. "failover-ms". */
  option: string;
  /** The value as the message must show it, e.g. `"FIRST"`, `1.5`, `(not set)`. */
  value: string;
  /** What is wrong. */
  rule: RegExp;
  /** What to do about it; must come after the rule. */
  fix: RegExp;
}

/** One table row: a title, the options given, and how they must be rejected. */
export type Case = [title: string, options: Record<string, unknown> | null | undefined, expected: Rejection];

export function expectRejection(options: unknown, expected: Rejection): ConfigurationError {
  let thrown: unknown;
  try {
    resolveConfig(options as KclOptions);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ConfigurationError);
  const error = thrown as ConfigurationError;
  expect(error.code).toBe("KCL_CONFIG");
  expect(error.context.option).toBe(expected.option);
  const prefix = `--${expected.option} ${expected.value}: `;
  expect(error.message.slice(0, prefix.length)).toBe(prefix);
  const rest = error.message.slice(prefix.length);
  const rule = expected.rule.exec(rest);
  expect(rule, `rule ${expected.rule} in: ${error.message}`).not.toBeNull();
  const afterRule = rest.slice((rule?.index ?? 0) + (rule?.[0].length ?? 0));
  expect(afterRule, `fix ${expected.fix} after the rule in: ${error.message}`).toMatch(expected.fix);
  // A fix is an instruction: it starts a new sentence.
  expect(afterRule).toMatch(/\. [A-Z]/);
  return error;
}
