// The processor-slow event in --output lines and in the dashboard's movement log.
import { expect, test } from "bun:test";
import type { KclEvent } from "../../src/core/events.ts";
import { describeMovement } from "../../src/status/event-log.ts";
import { describeEvent } from "../../cli/output/lines.ts";

const base = {
  workerId: "w1",
  at: 0,
  type: "processor-slow",
  shardId: "shardId-000000000003",
  warnMs: 60_000,
} as const;

test("lines name the callback, the shard, the duration and the threshold", () => {
  const running = { ...base, callback: "processRecords", durationMs: 60_000, stillRunning: true } as KclEvent;
  const blocked = {
    ...base,
    callback: "processRecords",
    durationMs: 25_003,
    stillRunning: false,
  } as KclEvent;
  expect(describeEvent(running)).toBe(
    "! slow processor: processRecords on shardId-000000000003 still running after 60000 ms (--processor-warn-ms 60000)",
  );
  expect(describeEvent(blocked)).toContain("took 25003 ms");
  expect(describeEvent(blocked)).toContain("blocked the event loop");
  expect(describeMovement(blocked)).toMatchObject({ severity: "warn", leaseKey: "shardId-000000000003" });
  expect(describeMovement(blocked)?.text).toContain("slow processRecords on shardId-000000000003");
});
