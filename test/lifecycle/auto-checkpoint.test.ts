// Auto checkpointing when positions can ride on lease renewals (offer mode): no write of its own
// while renewals carry them; a write of its own once a position waited checkpointIntervalMs.
import { afterEach, expect, test } from "bun:test";
import { ShardCheckpointer } from "../../src/checkpoint/checkpointer.ts";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import type { ExtendedSequenceNumber } from "../../src/leases/lease.ts";
import type { Outcome } from "../../src/leases/store.ts";
import { AutoCheckpoint } from "../../src/lifecycle/auto-checkpoint.ts";
import { FakeClock, flushAsync } from "../../src/testing/fake-clock.ts";

const at = (sequenceNumber: string): ExtendedSequenceNumber => ({ sequenceNumber, subSequenceNumber: 0 });
const controllers: AbortController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort();
});

/** `renewal()` settles every waiting offer as a renewal carrying it would; `direct` records own writes. */
function setup(intervalMs = 5000) {
  const clock = new FakeClock();
  const events = new EventBus("w1", () => clock.now());
  const written: KclEvent[] = [];
  events.on("checkpoint-written", (e) => written.push(e));
  const direct: string[] = [];
  let offers: { position: ExtendedSequenceNumber; settle: (o: Outcome<unknown> | undefined) => void }[] = [];
  const checkpointer = new ShardCheckpointer({
    shardId: "s0",
    leaseKey: "s0",
    initial: at("TRIM_HORIZON"),
    events,
    write: async (position) => {
      direct.push(position.sequenceNumber);
      return { ok: true, value: undefined };
    },
    offer: (position) =>
      new Promise((settle) => {
        for (const o of offers) o.settle(undefined); // replaced by the newer offer
        offers = [{ position, settle }];
      }),
  });
  const signal = new AbortController();
  controllers.push(signal);
  const auto = new AutoCheckpoint({
    mode: "auto",
    intervalMs,
    shardId: "s0",
    clock,
    events,
    checkpointer,
    signal: signal.signal,
  });
  const renewal = async () => {
    for (const o of offers.splice(0)) o.settle({ ok: true, value: undefined });
    await flushAsync();
  };
  const processed = async (seq: string) => {
    checkpointer.markDelivered(at(seq));
    await auto.processed(at(seq));
  };
  return { clock, auto, checkpointer, written, direct, renewal, processed };
}

test("positions ride on renewals: written as auto checkpoints, never by a write of their own", async () => {
  const t = setup();
  for (let i = 1; i <= 20; i++) {
    await t.processed(String(i * 10));
    await t.clock.advance(1000);
    if (i % 3 === 0) await t.renewal(); // a renewal every 3 s, inside the 5 s interval
  }
  await t.renewal();
  await t.clock.advance(10_000);
  expect(t.direct).toEqual([]);
  expect(t.checkpointer.lastCheckpoint.sequenceNumber).toBe("200");
  expect(t.written.map((e) => (e.type === "checkpoint-written" ? e.by : ""))).toEqual(
    Array(t.written.length).fill("auto"),
  );
  expect(t.written.length).toBe(7);
});

test("a position no renewal carried within the interval is written on its own, once", async () => {
  const t = setup(5000);
  await t.processed("10");
  await t.clock.advance(4900);
  expect(t.direct).toEqual([]);
  await t.processed("20"); // newer, but the staleness clock runs from the oldest unwritten one
  await t.clock.advance(200);
  expect(t.direct).toEqual(["20"]);
  await t.clock.advance(20_000);
  expect(t.direct).toEqual(["20"]);
  expect(t.checkpointer.lastCheckpoint.sequenceNumber).toBe("20");
});

test("after a renewal carried the older position, a newer one gets its own full interval", async () => {
  const t = setup(5000);
  await t.processed("10");
  await t.clock.advance(3000);
  await t.renewal(); // carried "10"
  await t.processed("20");
  await t.clock.advance(2500); // 5.5 s after "10" but only 2.5 s after "20": not due
  expect(t.direct).toEqual([]);
  await t.clock.advance(2600);
  expect(t.direct).toEqual(["20"]);
});

test("shutdown flushes the pending position directly, without waiting for a renewal", async () => {
  const t = setup();
  await t.processed("10");
  await t.auto.flush("shutdown");
  expect(t.direct).toEqual(["10"]);
  await t.renewal(); // the stale offer settles later: nothing goes backwards, no second event
  expect(t.checkpointer.lastCheckpoint.sequenceNumber).toBe("10");
  expect(t.written).toHaveLength(1);
});
