// The fan-out reader on the fake clock with a scripted FanOutPort (our port, not the SDK): backoff on
// ResourceInUse, resubscribe from the continuation when a subscription ends, one event waiting at
// most, LATEST pinned to AT_TIMESTAMP until an event arrives, and faults it must not swallow.
import { describe, expect, test } from "bun:test";
import { backoffDelay } from "../../src/core/backoff.ts";
import { DependencyError, ThrottledError } from "../../src/core/errors.ts";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import type { FanOutPort, ShardEvent, ShardSubscription } from "../../src/kinesis/fan-out-port.ts";
import type { StartingPosition } from "../../src/kinesis/port.ts";
import type { ExtendedSequenceNumber } from "../../src/leases/lease.ts";
import { createFanOutReader, SUBSCRIBE_BACKOFF } from "../../src/retrieval/fan-out-reader.ts";
import { FakeClock, flushAsync } from "../../src/testing/fake-clock.ts";
import { aggregate } from "../kinesis/support/kpl-aggregate.ts";
import { settle } from "./support.ts";

const S0 = "shardId-000000000000";
const enc = new TextEncoder();
const dec = (d: Uint8Array) => new TextDecoder().decode(d);

/** A subscription plan: an error to throw at subscribe, or events to serve then end (or hang). */
type Plan = { error: Error } | { events: ShardEvent[]; after: "end" | "hang" | Error };

function event(seqs: number[], continuation: number | undefined, millisBehindLatest = 0): ShardEvent {
  const e: ShardEvent = {
    records: seqs.map((s) => ({
      sequenceNumber: String(1000 + s),
      partitionKey: "k",
      data: enc.encode(`r${s}`),
      approximateArrivalTimestamp: new Date(0),
    })),
    millisBehindLatest,
  };
  if (continuation !== undefined) e.continuationSequenceNumber = String(1000 + continuation);
  return e;
}

function scripted(clock: FakeClock, plans: Plan[]) {
  const subscribes: { position: StartingPosition; at: number }[] = [];
  let pulled = 0;
  const port: FanOutPort = {
    streamArn: async () => "arn",
    listConsumers: async () => [],
    registerConsumer: async () => undefined,
    describeConsumer: async () => ({ consumerName: "c", consumerArn: "arn", status: "ACTIVE" }),
    deregisterConsumer: async () => {},
    async subscribe(_arn, _shard, position, signal): Promise<ShardSubscription> {
      subscribes.push({ position, at: clock.monotonic() });
      const plan = plans.shift() ?? { events: [], after: "hang" };
      if ("error" in plan) throw plan.error;
      const queue = [...plan.events];
      return {
        next() {
          const e = queue.shift();
          if (e) {
            pulled += 1;
            return Promise.resolve(e);
          }
          if (plan.after === "end") return Promise.resolve(undefined);
          if (plan.after instanceof Error) return Promise.reject(plan.after);
          return new Promise((_, reject) =>
            signal.addEventListener("abort", () => reject(new Error("closed"))),
          );
        },
        close() {},
      };
    },
  };
  return { port, subscribes, pulled: () => pulled };
}

function reader(
  clock: FakeClock,
  port: FanOutPort,
  start: ExtendedSequenceNumber,
  seen: KclEvent[],
  seed = 3,
  more: Partial<Parameters<typeof createFanOutReader>[0]> = {},
) {
  const events = new EventBus("w1", () => clock.now());
  events.onAny((e) => seen.push(e));
  return createFanOutReader({
    fanOut: port,
    consumerArn: "arn",
    stream: "s",
    shardId: S0,
    start,
    clock,
    random: seededRandom(seed),
    events,
    ...more,
  });
}

const TRIM: ExtendedSequenceNumber = { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 };
const inUse = () => new ThrottledError("Another SubscribeToShard is open", { operation: "SubscribeToShard" });

describe("fan-out reader (fake clock)", () => {
  test("ResourceInUse backs off with equal jitter on the clock, with throttled events, then reads", async () => {
    const clock = new FakeClock();
    const s = scripted(clock, [
      { error: inUse() },
      { error: inUse() },
      { error: inUse() },
      { events: [event([1, 2], 2)], after: "hang" },
    ]);
    const seen: KclEvent[] = [];
    const r = reader(clock, s.port, TRIM, seen, 11);
    const batch = await settle(clock, r.next());
    expect(batch.records.map((x) => dec(x.data))).toEqual(["r1", "r2"]);
    const expectedRandom = seededRandom(11);
    const delays = [1, 2, 3].map((a) => backoffDelay(SUBSCRIBE_BACKOFF, a, expectedRandom));
    const throttled = seen.filter((e) => e.type === "throttled");
    expect(throttled.map((e) => (e as { retryInMs: number }).retryInMs)).toEqual(delays);
    expect(throttled.every((e) => e.type === "throttled" && e.operation === "SubscribeToShard")).toBe(true);
    const at = s.subscribes.map((x) => x.at);
    expect(at.slice(1).map((t, i) => t - at[i]!)).toEqual(delays);
    r.close();
  });

  test("a subscription that ends resubscribes at the continuation at once: nothing lost, nothing twice", async () => {
    const clock = new FakeClock();
    const s = scripted(clock, [
      { events: [event([1, 2], 2), event([3], 3)], after: "end" },
      // Kinesis may resend from the continuation: the cursor drops what was delivered.
      { events: [event([3, 4], 4)], after: "hang" },
    ]);
    const r = reader(clock, s.port, TRIM, []);
    const got: string[] = [];
    for (let i = 0; i < 3; i++) got.push(...(await settle(clock, r.next())).records.map((x) => dec(x.data)));
    expect(got).toEqual(["r1", "r2", "r3", "r4"]);
    expect(s.subscribes.map((x) => x.position)).toEqual([
      { type: "TRIM_HORIZON" },
      { type: "AT_SEQUENCE_NUMBER", sequenceNumber: "1003" },
    ]);
    expect(s.subscribes[1]!.at - s.subscribes[0]!.at).toBe(0);
    r.close();
  });

  test("backpressure: one event is delivered and at most one more is waiting", async () => {
    const clock = new FakeClock();
    const s = scripted(clock, [{ events: [1, 2, 3, 4, 5].map((n) => event([n], n, 1000)), after: "hang" }]);
    const r = reader(clock, s.port, TRIM, []);
    await settle(clock, r.next());
    await clock.advance(60_000); // the processor is slow
    await flushAsync();
    expect(s.pulled()).toBe(2);
    await settle(clock, r.next());
    await flushAsync();
    expect(s.pulled()).toBe(3);
    r.close();
  });

  test("LATEST: a break before any event restarts at AT_TIMESTAMP of the first request (minus skew)", async () => {
    const clock = new FakeClock();
    const s = scripted(clock, [
      { events: [], after: new Error("socket hang up") },
      { events: [event([7], 7)], after: "hang" },
    ]);
    const seen: KclEvent[] = [];
    const r = reader(clock, s.port, { sequenceNumber: "LATEST", subSequenceNumber: 0 }, seen);
    const requestedAt = clock.now();
    expect((await settle(clock, r.next())).records.map((x) => dec(x.data))).toEqual(["r7"]);
    expect(s.subscribes.map((x) => x.position)).toEqual([
      { type: "LATEST" },
      { type: "AT_TIMESTAMP", timestamp: new Date(requestedAt - 1000) },
    ]);
    expect(seen.some((e) => e.type === "warning" && e.message.includes("resubscribing"))).toBe(true);
    r.close();
  });

  test("the final event ends the shard with its children; a missing consumer is not retried", async () => {
    const clock = new FakeClock();
    const final: ShardEvent = {
      ...event([9], undefined),
      childShards: [
        {
          shardId: "shardId-000000000001",
          parentShards: [S0],
          hashKeyRange: { startingHashKey: "0", endingHashKey: "1" },
        },
      ],
    };
    const s = scripted(clock, [{ events: [final], after: "hang" }]);
    const r = reader(clock, s.port, TRIM, []);
    const end = await settle(clock, r.next());
    expect([end.isAtShardEnd, end.records.length, end.childShards?.[0]?.shardId]).toEqual([
      true,
      1,
      "shardId-000000000001",
    ]);
    expect((await settle(clock, r.next())).isAtShardEnd).toBe(true);
    expect(s.subscribes).toHaveLength(1);
    const missing = new DependencyError("consumer not found", "missing", {});
    const gone = reader(clock, scripted(clock, [{ error: missing }]).port, TRIM, []);
    expect(await settle(clock, gone.next()).catch((e) => e)).toBe(missing);
  });

  test("KPL aggregates are de-aggregated; sub-records outside the shard's range warn, then deliver or drop", async () => {
    const subs = Array.from({ length: 20 }, (_, i) => ({
      partitionKey: `key${i}`,
      data: enc.encode(`v${i}`),
    }));
    const agg = aggregate(subs);
    const aggEvent: ShardEvent = {
      records: [
        {
          sequenceNumber: "1001",
          partitionKey: agg.partitionKey,
          data: agg.data,
          approximateArrivalTimestamp: new Date(0),
        },
      ],
      continuationSequenceNumber: "1001",
      millisBehindLatest: 0,
    };
    // The lower half of the hash space: about half of the 20 keys hash outside it.
    const hashKeyRange = { startingHashKey: "0", endingHashKey: (2n ** 127n - 1n).toString() };
    for (const mode of ["deliver", "drop"] as const) {
      const clock = new FakeClock();
      const seen: KclEvent[] = [];
      const s = scripted(clock, [{ events: [aggEvent], after: "hang" }]);
      const r = reader(clock, s.port, TRIM, seen, 3, { hashKeyRange, kplOutOfRange: mode });
      const b = await settle(clock, r.next());
      expect(
        seen.filter((e) => e.type === "warning" && e.message.includes("outside its range")),
      ).toHaveLength(1);
      expect(b.records.every((x) => x.aggregated)).toBe(true);
      if (mode === "deliver") expect(b.records.map((x) => dec(x.data))).toEqual(subs.map((_, i) => `v${i}`));
      else expect(b.records.length).toBeLessThan(20);
      r.close();
    }
  });
});
