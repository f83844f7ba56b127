// The error taxonomy: literal names, codes, retriable flags, context, cause and toJSON for every class.
import { describe, expect, test } from "bun:test";
import {
  AbortedError,
  ConfigurationError,
  DependencyError,
  describeError,
  type ErrorContext,
  ExpiredIteratorError,
  InvalidCheckpointError,
  InvariantViolationError,
  isKclError,
  KclError,
  LeaseLostError,
  PluginLoadError,
  ProcessorFailedError,
  ThrottledError,
} from "../../src/core/errors.ts";

const context: ErrorContext = {
  shardId: "shardId-000000000001",
  leaseKey: "shardId-000000000001",
  workerId: "w-1",
  stream: "orders",
  region: "eu-west-1",
  endpoint: "http://127.0.0.1:4567",
};

type Make = (message: string, ctx?: ErrorContext, options?: { cause?: unknown }) => KclError;

/** Every concrete class, how to build it, and what it must report. */
const CASES: { name: string; make: Make; code: string; retriable: boolean }[] = [
  {
    name: "ConfigurationError",
    make: (m, c, o) => new ConfigurationError(m, c, o),
    code: "KCL_CONFIG",
    retriable: false,
  },
  {
    name: "DependencyError",
    make: (m, c, o) => new DependencyError(m, "missing", c, o),
    code: "KCL_DEPENDENCY_MISSING",
    retriable: false,
  },
  {
    name: "DependencyError",
    make: (m, c, o) => new DependencyError(m, "unreachable", c, o),
    code: "KCL_DEPENDENCY_UNREACHABLE",
    retriable: true,
  },
  {
    name: "DependencyError",
    make: (m, c, o) => new DependencyError(m, "credentials", c, o),
    code: "KCL_CREDENTIALS",
    retriable: false,
  },
  {
    name: "ThrottledError",
    make: (m, c, o) => new ThrottledError(m, c, o),
    code: "KCL_THROTTLED",
    retriable: true,
  },
  {
    name: "ExpiredIteratorError",
    make: (m, c, o) => new ExpiredIteratorError(m, c, o),
    code: "KCL_EXPIRED_ITERATOR",
    retriable: true,
  },
  {
    name: "LeaseLostError",
    make: (m, c, o) => new LeaseLostError(m, c, o),
    code: "KCL_LEASE_LOST",
    retriable: false,
  },
  {
    name: "InvalidCheckpointError",
    make: (m, c, o) => new InvalidCheckpointError(m, c, o),
    code: "KCL_INVALID_CHECKPOINT",
    retriable: false,
  },
  {
    name: "PluginLoadError",
    make: (m, c, o) => new PluginLoadError(m, c, o),
    code: "KCL_PLUGIN_LOAD",
    retriable: false,
  },
  {
    name: "ProcessorFailedError",
    make: (m, c, o) => new ProcessorFailedError(m, c, o),
    code: "KCL_PROCESSOR_FAILED",
    retriable: false,
  },
  {
    name: "InvariantViolationError",
    make: (m, c, o) => new InvariantViolationError(m, c, o),
    code: "KCL_INVARIANT",
    retriable: false,
  },
  {
    name: "AbortedError",
    make: (m, c, o) => new AbortedError(m, c, o),
    code: "KCL_ABORTED",
    retriable: false,
  },
];

describe.each(CASES)("$name ($code)", ({ name, make, code, retriable }) => {
  test("has a literal name, its code and retriable flag, and is a KclError and an Error", () => {
    const e = make("boom", context);
    expect(e.name).toBe(name);
    expect(e.code).toBe(code);
    expect(e.retriable).toBe(retriable);
    expect(e.message).toBe("boom");
    expect(e).toBeInstanceOf(KclError);
    expect(e).toBeInstanceOf(Error);
    expect(isKclError(e)).toBe(true);
    // The name is an own literal, not inherited from a minified constructor name.
    expect(Object.getOwnPropertyDescriptor(e, "name")?.value).toBe(name);
    expect(String(e)).toBe(`${name}: boom`);
  });

  test("keeps its context and cause", () => {
    const cause = new Error("socket hang up");
    const e = make("boom", context, { cause });
    expect(e.context).toEqual(context);
    expect(e.cause).toBe(cause);
    expect(make("no context").context).toEqual({});
  });

  test("toJSON gives name, code, retriable, message and the context fields, and survives JSON", () => {
    const e = make("boom", { shardId: "shardId-1", region: "us-east-1" });
    const expected = {
      name,
      code,
      retriable,
      message: "boom",
      shardId: "shardId-1",
      region: "us-east-1",
    };
    expect(e.toJSON()).toEqual(expected);
    expect(JSON.parse(JSON.stringify(e))).toEqual(expected);
  });
});

describe("helpers", () => {
  test("every class has a distinct code", () => {
    const codes = CASES.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  test("isKclError rejects plain errors and non-errors", () => {
    expect(isKclError(new Error("x"))).toBe(false);
    expect(isKclError({ name: "ConfigurationError", code: "KCL_CONFIG" })).toBe(false);
    expect(isKclError(undefined)).toBe(false);
  });

  test("describeError gives one line for errors and for anything thrown", () => {
    expect(describeError(new LeaseLostError("lease shardId-1 lost"))).toBe(
      "LeaseLostError: lease shardId-1 lost",
    );
    expect(describeError(new TypeError("bad"))).toBe("TypeError: bad");
    expect(describeError("a string")).toBe("a string");
    expect(describeError(42)).toBe("42");
    expect(describeError(undefined)).toBe("undefined");
  });
});
