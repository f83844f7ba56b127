// processEmptyBatches (Java's callProcessRecordsEvenForEmptyRecordList): a poll that returns nothing
// still calls processRecords with [] — without making any checkpoint valid — and a failing empty call
// goes through the failure policy like any other.
import { describe, expect, test } from "bun:test";
import { harness, rec, recorder } from "./support.ts";

describe("ShardConsumer: processEmptyBatches", () => {
  test("a quiet shard gets processRecords([]) on each empty poll; checkpoint() still means the last record", async () => {
    let checkpointed = false;
    const r = recorder(async (input) => {
      if (input.records.length === 0 && !checkpointed) {
        checkpointed = true;
        await input.checkpointer.checkpoint();
      }
    });
    const h = harness({
      processor: r.processor,
      config: { processEmptyBatches: true, checkpoint: "manual" },
    });
    h.push({ records: [rec(1), rec(2)], isAtShardEnd: false });
    await h.clock.advance(3000);
    expect(r.calls.slice(0, 3)).toEqual(["initialize:TRIM_HORIZON", "processRecords:2", "processRecords:0"]);
    expect(r.calls.filter((c) => c === "processRecords:0").length).toBeGreaterThanOrEqual(2);
    expect(h.writes.map((w) => w.sequenceNumber)).toEqual(["2"]);
    h.consumer.requestStop("requested");
    await h.done;
  });

  test("off (the default): empty polls are not delivered", async () => {
    const r = recorder();
    const h = harness({ processor: r.processor });
    await h.clock.advance(3000);
    expect(r.calls).toEqual(["initialize:TRIM_HORIZON"]);
    h.consumer.requestStop("requested");
    await h.done;
  });

  test("an empty call that throws is a processor failure (retried under --on-error retry)", async () => {
    let failures = 0;
    const r = recorder(async (input) => {
      if (input.records.length === 0 && failures++ === 0) throw new Error("flush failed");
    });
    const h = harness({ processor: r.processor, config: { processEmptyBatches: true } });
    await h.clock.advance(5000);
    expect(h.ofType("processor-error")).toEqual([
      expect.objectContaining({ error: "processRecords: Error: flush failed", action: "retry", records: 0 }),
    ]);
    expect(r.calls.filter((c) => c === "processRecords:0").length).toBeGreaterThanOrEqual(2);
    h.consumer.requestStop("requested");
    await h.done;
  });
});
