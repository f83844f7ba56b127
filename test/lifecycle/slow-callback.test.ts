// --processor-warn-ms: a callback running longer than the threshold is reported once per call, with
// shard and duration — by a timer while it still runs, or when it returns if it blocked the event loop.
import { describe, expect, test } from "bun:test";
import type { Clock } from "../../src/core/clock.ts";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import { watchCallback } from "../../src/lifecycle/slow-callback.ts";
import type { ShardConsumerOptions } from "../../src/lifecycle/types.ts";
import { harness, rec } from "./support.ts";

describe("slow processor callbacks", () => {
  test("a processRecords still running after processor-warn-ms is reported once, then processing goes on", async () => {
    let slow = true;
    const h = harness({
      config: { processorWarnMs: 60_000 },
      processor: {
        async processRecords() {
          if (!slow) return;
          slow = false;
          await h.clock.sleep(150_000); // a processor awaiting something slow: the timer can fire
        },
      },
    });
    h.push({ records: [rec(1)], isAtShardEnd: false }, { records: [rec(2)], isAtShardEnd: false });
    await h.clock.advance(59_999);
    expect(h.ofType("processor-slow")).toEqual([]);
    await h.clock.advance(1);
    await h.clock.advance(120_000);
    const slowEvents = h.ofType("processor-slow");
    expect(slowEvents).toHaveLength(1); // once per call, not once per interval
    expect(slowEvents[0]).toMatchObject({
      shardId: "shardId-000000000001",
      callback: "processRecords",
      durationMs: 60_000,
      stillRunning: true,
      warnMs: 60_000,
    });
    expect(h.ofType("records-processed").filter((e) => e.count > 0)).toHaveLength(2);
    h.consumer.requestStop("requested");
    await h.done;
  });

  test("a callback that blocks the event loop (no timer can fire) is reported when it returns, with its duration", async () => {
    // A clock whose timers never fire while the callback runs: what a synchronous busy loop does.
    let now = 0;
    const blocked: Clock = { now: () => now, monotonic: () => now, sleep: () => new Promise(() => {}) };
    const bus = new EventBus("w1", () => now);
    const events: KclEvent[] = [];
    bus.onAny((e) => events.push(e));
    const rt = {
      shardId: "shardId-000000000007",
      o: {
        clock: blocked,
        events: bus,
        config: { processorWarnMs: 10_000 },
      } as unknown as ShardConsumerOptions,
    };
    await watchCallback(rt, "processRecords", () => {
      now += 25_000;
    });
    await watchCallback(rt, "shutdownRequested", () => {
      now += 9_999; // under the threshold: nothing
    });
    expect(events.filter((e) => e.type === "processor-slow")).toMatchObject([
      {
        callback: "processRecords",
        shardId: "shardId-000000000007",
        durationMs: 25_000,
        stillRunning: false,
      },
    ]);
  });

  test("shutdownRequested and initialize are watched too", async () => {
    const h = harness({
      config: { processorWarnMs: 1000 },
      processor: {
        async initialize() {
          await h.clock.sleep(1500);
        },
        async processRecords() {},
        async shutdownRequested() {
          await h.clock.sleep(2000);
        },
      },
    });
    h.push({ records: [rec(1)], isAtShardEnd: false });
    await h.clock.advance(2000);
    h.consumer.requestStop("requested");
    await h.clock.advance(3000);
    await h.done;
    expect(h.ofType("processor-slow").map((e) => e.callback)).toEqual(["initialize", "shutdownRequested"]);
  });
});
