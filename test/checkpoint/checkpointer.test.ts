// The checkpointer: validation window, sub-sequence numbers, SHARD_END, serialization, fencing.
import { describe, expect, test } from "bun:test";
import { ShardCheckpointer } from "../../src/checkpoint/checkpointer.ts";
import { parseCheckpointTarget } from "../../src/checkpoint/position.ts";
import { InvalidCheckpointError, LeaseLostError } from "../../src/core/errors.ts";
import { EventBus, type EventOf } from "../../src/core/events.ts";
import type { ExtendedSequenceNumber } from "../../src/leases/lease.ts";
import type { KinesisRecord } from "../../src/plugin.ts";

function record(sequenceNumber: string, subSequenceNumber = 0): KinesisRecord {
  return {
    sequenceNumber,
    subSequenceNumber,
    data: new Uint8Array(),
    partitionKey: "k",
    approximateArrivalTimestamp: new Date(0),
    aggregated: subSequenceNumber > 0,
  };
}

function setup(initial: ExtendedSequenceNumber = { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 }) {
  const writes: ExtendedSequenceNumber[] = [];
  const events: EventOf<"checkpoint-written">[] = [];
  const bus = new EventBus("w1", () => 0);
  bus.on("checkpoint-written", (e) => events.push(e));
  let fenced = false;
  let lostCalls = 0;
  let gate: Promise<void> | undefined;
  const cp = new ShardCheckpointer({
    shardId: "shardId-000000000001",
    leaseKey: "shardId-000000000001",
    initial,
    events: bus,
    onLeaseLost: () => lostCalls++,
    async write(position) {
      if (gate) await gate;
      if (fenced) return { ok: false, reason: "counter-mismatch" };
      writes.push(position);
      return { ok: true, value: undefined };
    },
  });
  return {
    cp,
    writes,
    events,
    fence: () => {
      fenced = true;
    },
    lostCalls: () => lostCalls,
    hold: () => {
      let release!: () => void;
      gate = new Promise((r) => {
        release = r;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

describe("ShardCheckpointer", () => {
  test("checkpoint() writes the last delivered record and emits checkpoint-written", async () => {
    const { cp, writes, events } = setup();
    cp.markDelivered({ sequenceNumber: "100", subSequenceNumber: 0 });
    cp.markDelivered({ sequenceNumber: "200", subSequenceNumber: 0 });
    await cp.checkpointer.checkpoint();
    expect(writes).toEqual([{ sequenceNumber: "200", subSequenceNumber: 0 }]);
    expect(events[0]).toMatchObject({ sequenceNumber: "200", subSequenceNumber: 0, by: "manual" });
    expect(cp.lastCheckpoint).toEqual({ sequenceNumber: "200", subSequenceNumber: 0 });
  });

  test("checkpoint() with nothing delivered writes nothing", async () => {
    const { cp, writes } = setup();
    await cp.checkpointer.checkpoint();
    expect(writes).toEqual([]);
  });

  test("checkpoint(record) and checkpoint(seq, sub) keep the sub-sequence number", async () => {
    const { cp, writes } = setup();
    cp.markDelivered({ sequenceNumber: "300", subSequenceNumber: 4 });
    await cp.checkpointer.checkpoint(record("300", 2));
    await cp.checkpointer.checkpoint("300", 3);
    expect(writes).toEqual([
      { sequenceNumber: "300", subSequenceNumber: 2 },
      { sequenceNumber: "300", subSequenceNumber: 3 },
    ]);
  });

  test("rejects a value beyond what was delivered", async () => {
    const { cp, writes } = setup();
    cp.markDelivered({ sequenceNumber: "300", subSequenceNumber: 1 });
    await expect(cp.checkpointer.checkpoint("301")).rejects.toThrow(InvalidCheckpointError);
    await expect(cp.checkpointer.checkpoint("300", 2)).rejects.toThrow(
      /beyond the last delivered record 300\/1/,
    );
    expect(writes).toEqual([]);
  });

  test("rejects a value behind the last checkpoint; an equal one writes nothing", async () => {
    const { cp, writes } = setup({ sequenceNumber: "500", subSequenceNumber: 2 });
    cp.markDelivered({ sequenceNumber: "600", subSequenceNumber: 0 });
    await expect(cp.checkpointer.checkpoint("500", 1)).rejects.toThrow(/behind the last checkpoint 500\/2/);
    await expect(cp.checkpointer.checkpoint("499")).rejects.toThrow(InvalidCheckpointError);
    await cp.checkpointer.checkpoint("500", 2);
    expect(writes).toEqual([]);
  });

  test("rejects malformed input with a typed error", async () => {
    const { cp } = setup();
    cp.markDelivered({ sequenceNumber: "9", subSequenceNumber: 0 });
    await expect(cp.checkpointer.checkpoint("abc")).rejects.toThrow(InvalidCheckpointError);
    await expect(cp.checkpointer.checkpoint("9", -1)).rejects.toThrow(/sub-sequence/);
    await expect(cp.checkpointer.checkpoint("9", 1.5)).rejects.toThrow(InvalidCheckpointError);
    await expect(cp.checkpointer.checkpoint(9 as unknown as string)).rejects.toThrow(/decimal string/);
    await expect(cp.checkpointer.checkpoint("SHARD_END")).rejects.toThrow(/has not ended/);
  });

  test("sequence numbers compare as big integers, not strings", async () => {
    const { cp, writes } = setup({ sequenceNumber: "99", subSequenceNumber: 0 });
    cp.markDelivered({
      sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
      subSequenceNumber: 0,
    });
    await cp.checkpointer.checkpoint("100");
    expect(writes).toEqual([{ sequenceNumber: "100", subSequenceNumber: 0 }]);
  });

  test("after shard end: checkpoint() and checkpoint(last record) mean SHARD_END", async () => {
    const a = setup();
    a.cp.markDelivered({ sequenceNumber: "700", subSequenceNumber: 0 });
    a.cp.markShardEnded();
    await a.cp.checkpointer.checkpoint();
    expect(a.writes).toEqual([{ sequenceNumber: "SHARD_END", subSequenceNumber: 0 }]);

    const b = setup();
    b.cp.markDelivered({ sequenceNumber: "700", subSequenceNumber: 0 });
    b.cp.markShardEnded();
    await b.cp.checkpointer.checkpoint(record("700"));
    expect(b.writes).toEqual([{ sequenceNumber: "SHARD_END", subSequenceNumber: 0 }]);
    // Nothing after SHARD_END.
    await b.cp.commit({ sequenceNumber: "SHARD_END", subSequenceNumber: 0 }, "shard-end");
    expect(b.writes).toHaveLength(1);
  });

  test("a fenced write fails with LeaseLostError, tells the consumer once, and later calls fail fast", async () => {
    const { cp, fence, lostCalls, writes } = setup();
    cp.markDelivered({ sequenceNumber: "10", subSequenceNumber: 0 });
    fence();
    await expect(cp.checkpointer.checkpoint()).rejects.toThrow(LeaseLostError);
    expect(cp.lost).toBe(true);
    expect(lostCalls()).toBe(1);
    await expect(cp.checkpointer.checkpoint()).rejects.toThrow(/no longer holds the lease/);
    await expect(cp.commit({ sequenceNumber: "10", subSequenceNumber: 0 }, "auto")).rejects.toThrow(
      LeaseLostError,
    );
    expect(lostCalls()).toBe(1);
    expect(writes).toEqual([]);
  });

  test("markLost: checkpoint fails with LeaseLostError before any write", async () => {
    const { cp, writes } = setup();
    cp.markDelivered({ sequenceNumber: "10", subSequenceNumber: 0 });
    cp.markLost();
    const error = await cp.checkpointer.checkpoint().catch((e) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(error.context.shardId).toBe("shardId-000000000001");
    expect(writes).toEqual([]);
  });

  test("concurrent writes are serialized and never go backwards", async () => {
    const { cp, writes, hold } = setup();
    cp.markDelivered({ sequenceNumber: "30", subSequenceNumber: 0 });
    const release = hold();
    const a = cp.commit({ sequenceNumber: "20", subSequenceNumber: 0 }, "auto");
    const b = cp.commit({ sequenceNumber: "30", subSequenceNumber: 0 }, "manual");
    const c = cp.commit({ sequenceNumber: "25", subSequenceNumber: 0 }, "auto");
    release();
    expect(await Promise.all([a, b, c])).toEqual([true, true, false]);
    expect(writes.map((w) => w.sequenceNumber)).toEqual(["20", "30"]);
  });

  test("a failed write does not block the queue", async () => {
    let fail = true;
    const cp = new ShardCheckpointer({
      shardId: "s",
      leaseKey: "s",
      initial: { sequenceNumber: "LATEST", subSequenceNumber: 0 },
      events: new EventBus("w", () => 0),
      async write() {
        if (fail) {
          fail = false;
          throw new Error("throttled");
        }
        return { ok: true, value: undefined };
      },
    });
    await expect(cp.commit({ sequenceNumber: "1", subSequenceNumber: 0 }, "auto")).rejects.toThrow(
      "throttled",
    );
    expect(await cp.commit({ sequenceNumber: "1", subSequenceNumber: 0 }, "auto")).toBe(true);
  });

  test("parseCheckpointTarget: undefined means the last delivered record", () => {
    expect(parseCheckpointTarget(undefined, undefined, {})).toBeUndefined();
    expect(parseCheckpointTarget("12", undefined, {})).toEqual({
      sequenceNumber: "12",
      subSequenceNumber: 0,
    });
  });
});
