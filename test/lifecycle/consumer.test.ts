// The shard consumer on stubs and a FakeClock: order, auto/manual checkpoints, failure policy,
// lease loss, shutdown, shard end, parents first, factory vs shared processor.
import { describe, expect, test } from "bun:test";
import { DependencyError, LeaseLostError, ProcessorFailedError } from "../../src/core/errors.ts";
import type { RecordProcessor } from "../../src/plugin.ts";
import { flushAsync } from "../../src/testing/fake-clock.ts";
import { harness, lease, rec, recorder } from "./support.ts";

const seqs = (h: { writes: { sequenceNumber: string; subSequenceNumber: number }[] }) =>
  h.writes.map((w) =>
    w.subSequenceNumber ? `${w.sequenceNumber}.${w.subSequenceNumber}` : w.sequenceNumber,
  );

describe("ShardConsumer: processing and auto checkpoints", () => {
  test("delivers batches in order and coalesces auto checkpoints to one per interval", async () => {
    const r = recorder();
    const h = harness({ processor: r.processor });
    h.push({ records: [rec(1), rec(2)], isAtShardEnd: false, millisBehindLatest: 500 });
    await h.clock.advance(0);
    expect(r.calls).toEqual(["initialize:TRIM_HORIZON", "processRecords:2"]);
    expect(seqs(h)).toEqual(["2"]); // first batch: nothing written yet in this interval
    h.push({ records: [rec(3)], isAtShardEnd: false }, { records: [rec(4)], isAtShardEnd: false });
    await h.clock.advance(1000);
    expect(r.delivered).toEqual(["1.0", "2.0", "3.0", "4.0"]);
    expect(seqs(h)).toEqual(["2"]);
    await h.clock.advance(4000);
    expect(seqs(h)).toEqual(["2", "4"]);
    const processed = h.ofType("records-processed").filter((e) => e.count > 0);
    expect(processed[0]).toMatchObject({ count: 2, millisBehindLatest: 500, lastSequenceNumber: "2" });
    expect(h.ofType("checkpoint-written").map((e) => e.by)).toEqual(["auto", "auto"]);
    h.consumer.requestStop("requested");
    await h.done;
  });

  test("manual mode writes only what the processor checkpoints", async () => {
    const r = recorder(async (input, call) => {
      if (call === 2) await input.checkpointer.checkpoint(input.records[0]!);
    });
    const h = harness({ processor: r.processor, config: { checkpoint: "manual" } });
    h.push({ records: [rec(1)], isAtShardEnd: false }, { records: [rec(2), rec(3)], isAtShardEnd: false });
    await h.clock.advance(20_000);
    expect(seqs(h)).toEqual(["2"]);
    h.consumer.requestStop("requested");
    await h.done;
    expect(seqs(h)).toEqual(["2"]); // no auto flush at shutdown in manual mode
  });

  test("empty batches are not delivered; a lag change is still reported", async () => {
    const r = recorder();
    const h = harness({ processor: r.processor });
    await h.clock.advance(3000);
    expect(r.calls).toEqual(["initialize:TRIM_HORIZON"]);
    expect(h.ofType("records-processed")).toEqual([
      expect.objectContaining({ count: 0, millisBehindLatest: 0 }),
    ]);
    h.consumer.requestStop("requested");
    await h.done;
  });

  test("a sub-sequence checkpoint resumes the reader at that position", async () => {
    const r = recorder();
    const start = { sequenceNumber: "77", subSequenceNumber: 3 };
    const h = harness({ processor: r.processor, lease: lease({ checkpoint: start }) });
    await h.clock.advance(0);
    expect(h.opens).toEqual([start]);
    expect(r.calls[0]).toBe("initialize:77");
    h.consumer.requestStop("requested");
    await h.done;
  });
});

describe("ShardConsumer: failure policy", () => {
  test("retry: the same batch is delivered again after backoff and never skipped", async () => {
    const r = recorder((_input, call) => {
      if (call <= 2) throw new Error(`boom ${call}`);
    });
    const h = harness({ processor: r.processor });
    h.push({ records: [rec(1), rec(2)], isAtShardEnd: false }, { records: [rec(3)], isAtShardEnd: false });
    await h.clock.advance(0);
    const errors = h.ofType("processor-error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ action: "retry", attempt: 1, records: 2, firstSequenceNumber: "1" });
    expect(errors[0]!.retryInMs).toBeGreaterThanOrEqual(500);
    expect(errors[0]!.retryInMs).toBeLessThanOrEqual(1000);
    expect(h.ofType("shard-state").at(-1)).toMatchObject({ state: "retrying" });
    await h.clock.advance(1000);
    expect(h.ofType("processor-error")[1]).toMatchObject({ attempt: 2 });
    expect(h.ofType("processor-error")[1]!.retryInMs).toBeGreaterThanOrEqual(1000);
    await h.clock.advance(2000);
    expect(r.delivered).toEqual(["1.0", "2.0", "3.0"]);
    expect(r.calls.filter((c) => c.startsWith("processRecords"))).toEqual([
      "processRecords:2",
      "processRecords:2",
      "processRecords:2",
      "processRecords:1",
    ]);
    expect(h.ofType("shard-state").at(-1)).toMatchObject({ state: "processing" });
    h.consumer.requestStop("requested");
    await h.done;
    expect(seqs(h).at(-1)).toBe("3");
  });

  test("retry after a partial checkpoint redelivers only what is after it", async () => {
    const seen: string[][] = [];
    const processor: RecordProcessor = {
      async processRecords({ records, checkpointer }) {
        seen.push(records.map((x) => x.sequenceNumber));
        if (seen.length === 1) {
          await checkpointer.checkpoint(records[1]!);
          throw new Error("after two");
        }
      },
    };
    const h = harness({ processor, config: { checkpoint: "manual" } });
    h.push({ records: [rec(1), rec(2), rec(3), rec(4)], isAtShardEnd: false });
    await h.clock.advance(2000);
    expect(seen).toEqual([
      ["1", "2", "3", "4"],
      ["3", "4"],
    ]);
    h.consumer.requestStop("requested");
    await h.done;
  });

  test("skip: an event names the skipped batch and processing moves on", async () => {
    const r = recorder((_i, call) => {
      if (call === 1) throw new Error("poison");
    });
    const h = harness({ processor: r.processor, config: { onError: "skip", checkpointIntervalMs: 0 } });
    h.push({ records: [rec(10), rec(11)], isAtShardEnd: false }, { records: [rec(12)], isAtShardEnd: false });
    await h.clock.advance(0);
    expect(h.ofType("processor-error")).toEqual([
      expect.objectContaining({
        action: "skip",
        firstSequenceNumber: "10",
        lastSequenceNumber: "11",
        records: 2,
        error: "processRecords: Error: poison",
      }),
    ]);
    expect(r.delivered).toEqual(["12.0"]);
    expect(seqs(h)).toEqual(["11", "12"]);
    h.consumer.requestStop("requested");
    await h.done;
  });

  test("exit: the worker is told (ProcessorFailedError) and the failed batch is not checkpointed", async () => {
    const r = recorder((_i, call) => {
      if (call === 2) throw new Error("fatal");
    });
    const h = harness({ processor: r.processor, config: { onError: "exit" } });
    h.push({ records: [rec(1)], isAtShardEnd: false });
    await h.clock.advance(0);
    h.push({ records: [rec(2)], isAtShardEnd: false });
    await h.clock.advance(1000);
    await h.done;
    expect(h.fatal).toHaveLength(1);
    expect(h.fatal[0]).toBeInstanceOf(ProcessorFailedError);
    expect(String(h.fatal[0])).toContain("--on-error is exit");
    expect(r.calls.at(-1)).toBe("shutdownRequested");
    expect(seqs(h)).toEqual(["1"]);
  });
});

describe("ShardConsumer: lease loss and shutdown", () => {
  test("lease loss aborts the signal; leaseLost runs after processRecords returns; checkpoint is rejected", async () => {
    let release!: () => void;
    let signal: AbortSignal | undefined;
    let checkpointError: unknown;
    const r = recorder(async (input) => {
      signal = input.signal;
      await new Promise<void>((res) => {
        release = res;
      });
      checkpointError = await input.checkpointer.checkpoint().catch((e) => e);
    });
    const h = harness({ processor: r.processor });
    h.push({ records: [rec(1)], isAtShardEnd: false });
    await h.clock.advance(0);
    h.consumer.requestStop("lease-lost");
    await flushAsync();
    expect(signal?.aborted).toBe(true);
    expect(r.calls).not.toContain("leaseLost");
    release();
    await h.done;
    expect(checkpointError).toBeInstanceOf(LeaseLostError);
    expect(r.calls.slice(-1)).toEqual(["leaseLost"]);
    expect(r.overlaps()).toBe(0);
    expect(h.writes).toEqual([]);
    expect(h.ofType("shard-state").map((e) => e.state)).toContain("lease-lost");
  });

  test("a fenced checkpoint write stops the shard with leaseLost", async () => {
    const r = recorder();
    const h = harness({ processor: r.processor, config: { checkpointIntervalMs: 0 } });
    h.fence();
    h.push({ records: [rec(1)], isAtShardEnd: false });
    await h.clock.advance(0);
    await h.done;
    expect(r.calls).toEqual(["initialize:TRIM_HORIZON", "processRecords:1", "leaseLost"]);
  });

  test("shutdown requested: shutdownRequested, then the processed position is written", async () => {
    const r = recorder();
    const h = harness({ processor: r.processor });
    h.push({ records: [rec(1)], isAtShardEnd: false });
    await h.clock.advance(0);
    h.push({ records: [rec(2)], isAtShardEnd: false });
    await h.clock.advance(1000);
    expect(seqs(h)).toEqual(["1"]);
    h.consumer.requestStop("requested");
    await h.done;
    expect(r.calls.at(-1)).toBe("shutdownRequested");
    expect(seqs(h)).toEqual(["1", "2"]);
    expect(h.ofType("checkpoint-written").at(-1)).toMatchObject({ by: "shutdown", sequenceNumber: "2" });
    expect(h.consumer.state).toBe("shut-down");
  });

  test("lease lost while in the retry wait: leaseLost, no further delivery", async () => {
    const r = recorder(() => {
      throw new Error("always");
    });
    const h = harness({ processor: r.processor });
    h.push({ records: [rec(1)], isAtShardEnd: false });
    await h.clock.advance(0);
    h.consumer.requestStop("lease-lost");
    await h.done;
    expect(r.calls).toEqual(["initialize:TRIM_HORIZON", "processRecords:1", "leaseLost"]);
  });
});

describe("ShardConsumer: shard end and parents", () => {
  const child = (id: string) => ({
    shardId: id,
    parentShards: ["shardId-000000000001"],
    hashKeyRange: { startingHashKey: "0", endingHashKey: "1" },
  });

  test("children from ChildShards; shardEnded; SHARD_END written; shard-ended emitted", async () => {
    const r = recorder();
    const h = harness({ processor: r.processor });
    h.push({
      records: [rec(5)],
      isAtShardEnd: true,
      childShards: [child("shardId-000000000003"), child("shardId-000000000004")],
    });
    await h.clock.advance(0);
    await h.done;
    expect(r.calls).toEqual(["initialize:TRIM_HORIZON", "processRecords:1", "shardEnded"]);
    expect(h.childCalls).toEqual([
      { parent: "shardId-000000000001", children: ["shardId-000000000003", "shardId-000000000004"] },
    ]);
    expect(h.discoverCalls).toEqual([]);
    expect(seqs(h).at(-1)).toBe("SHARD_END");
    expect(h.ofType("shard-ended")).toEqual([
      expect.objectContaining({ childShardIds: ["shardId-000000000003", "shardId-000000000004"] }),
    ]);
    expect(h.ofType("child-leases-created")).toHaveLength(1);
    expect(h.consumer.shardFinished).toBe(true);
  });

  test("without ChildShards (kinesalite) children come from discovery; SHARD_END even if shardEnded does not checkpoint", async () => {
    const processor: RecordProcessor = { async processRecords() {}, async shardEnded() {} };
    const h = harness({ processor, discovered: [child("shardId-000000000009")] });
    h.push({ records: [], isAtShardEnd: true });
    await h.clock.advance(0);
    await h.done;
    expect(h.discoverCalls).toEqual(["shardId-000000000001"]);
    expect(seqs(h)).toEqual(["SHARD_END"]);
  });

  test("a child waits until its parent is at SHARD_END", async () => {
    const r = recorder();
    const parent = lease({
      leaseKey: "shardId-000000000000",
      checkpoint: { sequenceNumber: "10", subSequenceNumber: 0 },
    });
    const h = harness({
      processor: r.processor,
      lease: lease({ parentShardIds: ["shardId-000000000000"] }),
      parentLeases: [parent],
    });
    await h.clock.advance(5000);
    expect(r.calls).toEqual([]);
    expect(h.ofType("shard-state")).toContainEqual(
      expect.objectContaining({
        state: "waiting-on-parents",
        detail: "waiting for parent shardId-000000000000 to reach SHARD_END",
      }),
    );
    h.parents.set(parent.leaseKey, {
      ...parent,
      checkpoint: { sequenceNumber: "SHARD_END", subSequenceNumber: 0 },
    });
    await h.clock.advance(1000);
    expect(r.calls).toEqual(["initialize:TRIM_HORIZON"]);
    h.consumer.requestStop("requested");
    await h.done;
  });

  test("a missing parent lease counts as finished; stop while waiting creates no processor", async () => {
    let created = 0;
    const factory = () => {
      created++;
      return recorder().processor;
    };
    const a = harness({ processor: factory, lease: lease({ parentShardIds: ["gone"] }) });
    await a.clock.advance(0);
    expect(created).toBe(1);
    a.consumer.requestStop("requested");
    await a.done;

    const b = harness({
      processor: factory,
      lease: lease({ parentShardIds: ["p"] }),
      parentLeases: [lease({ leaseKey: "p" })],
    });
    await b.clock.advance(0);
    b.consumer.requestStop("requested");
    await b.done;
    expect(created).toBe(1);
    expect(b.consumer.state).toBe("shut-down");
  });

  test("a lease taken over at SHARD_END only ensures its children", async () => {
    const r = recorder();
    const h = harness({
      processor: r.processor,
      lease: lease({ checkpoint: { sequenceNumber: "SHARD_END", subSequenceNumber: 0 } }),
      discovered: [child("shardId-000000000002")],
    });
    await h.done;
    expect(r.calls).toEqual([]);
    expect(h.childCalls).toHaveLength(1);
    expect(h.writes).toEqual([]);
  });
});

describe("ShardConsumer: processor instances", () => {
  test("a factory is called once per consumer; a shared object is reused", async () => {
    const contexts: string[] = [];
    const factory = (ctx: { shardId: string; workerId: string }) => {
      contexts.push(`${ctx.shardId}@${ctx.workerId}`);
      return recorder().processor;
    };
    for (let i = 0; i < 2; i++) {
      const h = harness({ processor: factory });
      await h.clock.advance(0);
      h.consumer.requestStop("requested");
      await h.done;
    }
    expect(contexts).toEqual(["shardId-000000000001@w1", "shardId-000000000001@w1"]);

    const shared = recorder();
    for (let i = 0; i < 2; i++) {
      const h = harness({ processor: shared.processor });
      await h.clock.advance(0);
      h.consumer.requestStop("requested");
      await h.done;
    }
    expect(shared.calls.filter((c) => c.startsWith("initialize"))).toHaveLength(2);
  });

  test("initialize failing is retried with backoff before any record is delivered", async () => {
    let attempts = 0;
    const processor: RecordProcessor = {
      async initialize() {
        attempts++;
        if (attempts < 3) throw new Error("not yet");
      },
      async processRecords() {},
    };
    const h = harness({ processor, config: { onError: "skip" } });
    await h.clock.advance(0);
    expect(attempts).toBe(1);
    await h.clock.advance(5000);
    expect(attempts).toBe(3);
    expect(h.ofType("processor-error").map((e) => e.action)).toEqual(["retry", "retry"]);
    expect(h.consumer.state).toBe("processing");
    h.consumer.requestStop("requested");
    await h.done;
  });
});

describe("ShardConsumer: faults below the processor", () => {
  test("a failing record source is reopened after the last delivered record, after a backoff", async () => {
    const r = recorder();
    const h = harness({ processor: r.processor, config: { checkpoint: "manual" } });
    h.push({ records: [rec(1), rec(2)], isAtShardEnd: false });
    await h.clock.advance(0);
    h.failNext(new DependencyError("connection reset", "unreachable"));
    await h.clock.advance(2000);
    expect(h.ofType("warning")[0]!.message).toContain("connection reset");
    expect(h.opens).toEqual([
      { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
      { sequenceNumber: "2", subSequenceNumber: 0 },
    ]);
    expect(h.fatal).toEqual([]);
    h.consumer.requestStop("requested");
    await h.done;
  });

  test("a stream that is gone (non-retriable) stops the worker", async () => {
    const r = recorder();
    const h = harness({ processor: r.processor });
    h.failNext(new DependencyError('stream "s" not found', "missing", { stream: "s" }));
    await h.clock.advance(0);
    expect(h.fatal[0]).toBeInstanceOf(DependencyError);
    h.consumer.requestStop("requested");
    await h.done;
  });
});
