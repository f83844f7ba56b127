// Multi-stream: a shard reader reads the bare shard id from Kinesis but names the shard in its events
// by the lease key (which carries the stream), so the status fold and dashboard find the right lease.
import { describe, expect, test } from "bun:test";
import { ExpiredIteratorError, ThrottledError } from "../../src/core/errors.ts";
import { readRecords, reader, S0, TRIM, text, world } from "./support.ts";

const KEY = `123456789012:s:1690000000:${S0}`;

describe("shard reader events in multi-stream mode", () => {
  test("records-fetched, throttled and iterator-expired name the lease key; Kinesis gets the shard id", async () => {
    const w = world();
    w.fake.putRecords("s", [{ partitionKey: "k", data: "r0" }]);
    w.fake.failNext("getRecords", () => new ThrottledError("slow down", { operation: "GetRecords" }));
    w.fake.failNext("getRecords", () => new ExpiredIteratorError("expired", { operation: "GetRecords" }));
    const r = reader(w, TRIM, { leaseKey: KEY });
    expect((await readRecords(w, r, 1)).records.map(text)).toEqual(["r0"]);
    const named = w.seen
      .filter((e) => ["records-fetched", "throttled", "iterator-expired"].includes(e.type))
      .map((e) => [e.type, (e as { shardId: string }).shardId]);
    expect(new Set(named.map(([type]) => type))).toEqual(
      new Set(["records-fetched", "throttled", "iterator-expired"]),
    );
    expect(named.every(([, shardId]) => shardId === KEY)).toBe(true);
    expect(
      w.fake.calls.filter((c) => c.operation === "getShardIterator").every((c) => c.shardId === S0),
    ).toBe(true);
    r.close();
  });
});
