// Exit codes are mapped from error classes in one place (spec §5), with a message per class.
import { describe, expect, test } from "bun:test";
import { describeFailure, EXIT, exitCodeFor } from "../../cli/exit-codes.ts";
import {
  ConfigurationError,
  DependencyError,
  InvariantViolationError,
  LeaseLostError,
  PluginLoadError,
  ProcessorFailedError,
} from "../../src/core/errors.ts";

describe("exitCodeFor", () => {
  test.each([
    [new ConfigurationError("--app is required"), EXIT.usage],
    [new PluginLoadError("cannot load plugin x.ts"), EXIT.plugin],
    [new DependencyError("stream s does not exist", "missing"), EXIT.dependency],
    [new DependencyError("unreachable", "unreachable"), EXIT.dependency],
    [new DependencyError("no credentials", "credentials"), EXIT.dependency],
    [new ProcessorFailedError("processRecords threw"), EXIT.processorFailed],
    [new InvariantViolationError("two owners"), EXIT.bug],
    [new LeaseLostError("escaped the engine"), EXIT.bug],
    [new TypeError("x is not a function"), EXIT.bug],
    ["a string", EXIT.bug],
    [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }), EXIT.dependency],
    [new Error("wrapped", { cause: Object.assign(new Error("x"), { code: "ENOTFOUND" }) }), EXIT.dependency],
    [
      Object.assign(new Error("Could not load credentials"), { name: "CredentialsProviderError" }),
      EXIT.dependency,
    ],
    [new Error("Region is missing"), EXIT.usage],
  ])("%p → %d", (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });

  test("codes are the documented ones", () => {
    expect(EXIT).toEqual({ ok: 0, bug: 1, usage: 2, plugin: 3, dependency: 4, processorFailed: 5 });
  });
});

describe("describeFailure", () => {
  test("known failures print their own message", () => {
    expect(describeFailure(new ConfigurationError("--stream is required"))).toBe(
      "kcl-ts: --stream is required",
    );
  });

  test("a bug says so, asks for a report and includes the stack", () => {
    const text = describeFailure(new TypeError("boom"));
    expect(text).toContain("this is a bug");
    expect(text).toContain("report it");
    expect(text).toContain("TypeError: boom");
    expect(text).toMatch(/kcl-ts \d+\.\d+\.\d+/);
  });

  test("a missing region names the ways to set one", () => {
    expect(describeFailure(new Error("Region is missing"))).toContain("--region");
  });
});
