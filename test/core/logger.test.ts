// Logger implementations: the silent default and the in-memory one tests assert on.
import { expect, test } from "bun:test";
import { MemoryLogger, silentLogger } from "../../src/core/logger.ts";

test("silentLogger accepts every level and keeps nothing", () => {
  for (const level of ["debug", "info", "warn", "error"] as const) {
    expect(() => silentLogger.log(level, "ignored", { a: 1 })).not.toThrow();
  }
});

test("MemoryLogger records entries in order with their fields", () => {
  const logger = new MemoryLogger();
  logger.log("info", "lease taken", { leaseKey: "shardId-0" });
  logger.log("warn", "slow renew");
  expect(logger.entries).toEqual([
    { level: "info", message: "lease taken", fields: { leaseKey: "shardId-0" } },
    { level: "warn", message: "slow renew", fields: undefined },
  ]);
});
