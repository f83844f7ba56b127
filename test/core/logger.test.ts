// Logger implementations: the silent default and the in-memory one tests assert on.
import { expect, test } from "bun:test";
import { MemoryLogger, silentLogger } from "../../src/core/logger.ts";

test("silentLogger accepts every level and writes nothing anywhere", () => {
  const written: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const saved = methods.map((m) => console[m]);
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((s) => s.write);
  try {
    for (const m of methods) console[m] = (...args: unknown[]) => void written.push(`console.${m} ${args}`);
    for (const s of streams)
      s.write = ((chunk: unknown) => written.push(String(chunk)) > 0) as typeof s.write;
    for (const level of ["debug", "info", "warn", "error"] as const) {
      expect(silentLogger.log(level, "ignored", { a: 1 })).toBeUndefined();
    }
  } finally {
    methods.forEach((m, i) => {
      console[m] = saved[i]!;
    });
    streams.forEach((s, i) => {
      s.write = writes[i]!;
    });
  }
  expect(written).toEqual([]);
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
