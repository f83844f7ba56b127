// EventBus: typed and catch-all subscription, unsubscribe, stamping, and listener isolation.
import { describe, expect, test } from "bun:test";
import { type EventOf, EventBus, type KclEvent } from "../../src/core/events.ts";

function bus(workerId = "worker-1") {
  let t = 1000;
  return { bus: new EventBus(workerId, () => t++), time: () => t };
}

describe("EventBus", () => {
  test("stamps every event with the worker id and the injected wall time at emit", () => {
    const { bus: b } = bus("w-42");
    const seen: KclEvent[] = [];
    b.onAny((e) => seen.push(e));
    b.emit({ type: "worker-stopping", reason: "SIGTERM" });
    b.emit({ type: "lease-renewed", leaseKey: "shardId-0", leaseCounter: 3 });
    expect(seen).toEqual([
      { type: "worker-stopping", reason: "SIGTERM", workerId: "w-42", at: 1000 },
      { type: "lease-renewed", leaseKey: "shardId-0", leaseCounter: 3, workerId: "w-42", at: 1001 },
    ]);
  });

  test("stamping does not mutate the emitted body", () => {
    const { bus: b } = bus();
    const body = { type: "iterator-expired" as const, shardId: "shardId-1" };
    b.emit(body);
    expect(body).toEqual({ type: "iterator-expired", shardId: "shardId-1" });
  });

  test("on(type) receives only that type, typed as that event", () => {
    const { bus: b } = bus();
    const acquired: EventOf<"lease-acquired">[] = [];
    b.on("lease-acquired", (e) => {
      // Compile-time check: fields of the narrowed event are accessible without casts.
      const how: "unowned" | "expired" | "released" | "stolen" = e.how;
      expect(how).toBeDefined();
      acquired.push(e);
    });
    b.emit({ type: "lease-renewed", leaseKey: "shardId-0", leaseCounter: 1 });
    b.emit({
      type: "lease-acquired",
      leaseKey: "shardId-0",
      leaseCounter: 2,
      how: "expired",
      previousOwner: "w-9",
    });
    expect(acquired).toHaveLength(1);
    expect(acquired[0]).toMatchObject({ leaseKey: "shardId-0", how: "expired", previousOwner: "w-9" });
  });

  test("onAny listeners run before typed listeners, each in subscription order", () => {
    const { bus: b } = bus();
    const order: string[] = [];
    b.on("warning", () => order.push("typed-1"));
    b.onAny(() => order.push("any-1"));
    b.on("warning", () => order.push("typed-2"));
    b.onAny(() => order.push("any-2"));
    b.emit({ type: "warning", message: "x" });
    expect(order).toEqual(["any-1", "any-2", "typed-1", "typed-2"]);
  });

  test("unsubscribe functions stop delivery, for onAny and for on(type), and are idempotent", () => {
    const { bus: b } = bus();
    let any = 0;
    let typed = 0;
    const offAny = b.onAny(() => any++);
    const offTyped = b.on("warning", () => typed++);
    b.emit({ type: "warning", message: "1" });
    offAny();
    offTyped();
    offTyped();
    b.emit({ type: "warning", message: "2" });
    expect({ any, typed }).toEqual({ any: 1, typed: 1 });
  });

  test("unsubscribing one listener leaves the others of the same type subscribed", () => {
    const { bus: b } = bus();
    const got: string[] = [];
    const offA = b.on("warning", () => got.push("a"));
    b.on("warning", () => got.push("b"));
    offA();
    b.emit({ type: "warning", message: "x" });
    expect(got).toEqual(["b"]);
  });

  test("the same function subscribed twice is called once (set semantics)", () => {
    const { bus: b } = bus();
    let n = 0;
    const l = () => n++;
    b.onAny(l);
    b.onAny(l);
    b.emit({ type: "warning", message: "x" });
    expect(n).toBe(1);
  });

  test("a throwing listener is isolated: emit does not throw and later listeners still run", () => {
    const { bus: b } = bus();
    const got: string[] = [];
    b.onAny(() => {
      throw new Error("dashboard bug");
    });
    b.onAny((e) => got.push(`any:${e.type}`));
    b.on("lease-lost", () => {
      throw new TypeError("metrics bug");
    });
    b.on("lease-lost", (e) => got.push(`typed:${e.reason}`));
    expect(() => b.emit({ type: "lease-lost", leaseKey: "shardId-0", reason: "stolen" })).not.toThrow();
    expect(got).toEqual(["any:lease-lost", "typed:stolen"]);
  });

  test("emitting with no listeners is a no-op", () => {
    const { bus: b, time } = bus();
    expect(() => b.emit({ type: "worker-stopped", clean: true })).not.toThrow();
    expect(time()).toBe(1001);
  });
});
