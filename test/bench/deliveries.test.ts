// The bench's delivery bookkeeping: frames written by the bench plugin's DeliveryLog are read back
// by DeliveryTracker (ids, missing, duplicates by time, ownership, partial frames).
import { afterAll, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeliveryTracker, range } from "../../bench/harness/deliveries.ts";
import { recordData } from "../../bench/records.ts";
import { DeliveryLog, recordId, shardNumber } from "../../plugins/bench-recorder.ts";

const dir = mkdtempSync(join(tmpdir(), "kcl-bench-frames-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = (ids: number[]) => ids.map((id) => ({ data: recordData(id) }));
const data = (r: { data: Uint8Array }) => r.data;

test("record ids and shard numbers round-trip; foreign data is flagged", () => {
  expect(recordData(42)).toHaveLength(100);
  expect(recordId(recordData(42))).toBe(42);
  expect(recordId(recordData(4_000_000_000))).toBe(4_000_000_000);
  expect(recordId(new TextEncoder().encode("not an id at all"))).toBe(0xffffffff);
  expect(shardNumber("shardId-000000000007")).toBe(7);
});

test("tracker counts ids per process, missing, duplicates after a time, and ownership", () => {
  // Two "processes" = two files in one directory, named <pid>.bin.
  const fileA = join(dir, "101.bin");
  const fileB = join(dir, "202.bin");
  const logA = new DeliveryLog(fileA);
  const logB = new DeliveryLog(fileB);
  logA.event("initialize", "shardId-000000000001");
  logA.batch("shardId-000000000001", records([0, 1, 2]), data);
  logB.event("initialize", "shardId-000000000002");
  logB.batch("shardId-000000000002", records([3, 4]), data);
  logA.event("leaseLost", "shardId-000000000001");
  const tracker = new DeliveryTracker(dir).poll();
  expect(tracker.unique).toBe(5);
  expect(tracker.missing(range(0, 7))).toEqual({ count: 2, sample: [5, 6] });
  expect(tracker.duplicates()).toBe(0);
  expect([...tracker.process(101).owned]).toEqual([]);
  expect([...tracker.process(202).owned]).toEqual([2]);
  expect(tracker.process(101).records).toBe(3);

  // A redelivery (as after a lease moved) counts once, at the later delivery's time.
  const before = Date.now();
  logB.batch("shardId-000000000001", records([2, 5, 6]), data);
  tracker.poll();
  expect(tracker.missing(range(0, 7)).count).toBe(0);
  expect(tracker.duplicates()).toBe(1);
  expect(tracker.duplicates(before)).toBe(1);
  expect(tracker.duplicates(Date.now() + 1000)).toBe(0);
  expect(tracker.firstBatchAfter(202, 1, before)).toBeGreaterThanOrEqual(before);
});

test("a frame cut in half by a concurrent read is completed by the next poll", () => {
  const sub = mkdtempSync(join(dir, "partial-"));
  const whole = join(sub, "whole.tmp");
  new DeliveryLog(whole).batch("shardId-000000000000", records([7, 8, 9]), data);
  const bytes = readFileSync(whole);
  rmSync(whole);
  const file = join(sub, "303.bin");
  writeFileSync(file, bytes.subarray(0, 13));
  const tracker = new DeliveryTracker(sub).poll();
  expect(tracker.unique).toBe(0);
  appendFileSync(file, bytes.subarray(13));
  tracker.poll();
  expect(tracker.unique).toBe(3);
  expect(tracker.missing([7, 8, 9]).count).toBe(0);
});
