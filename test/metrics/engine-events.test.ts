// The engine events metrics are fed from, where no integration test reaches them cheaply: a renewal
// failing with a fault other than throttling (lease-write-failed), checkpoint writes that do not land
// (checkpoint-failed), and how the status fold counts them.
import { describe, expect, test } from "bun:test";
import { ShardCheckpointer } from "../../src/checkpoint/checkpointer.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import { DependencyError, ThrottledError } from "../../src/core/errors.ts";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createLeaseCoordinator } from "../../src/leases/coordinator.ts";
import type { Lease } from "../../src/leases/lease.ts";
import type { Outcome } from "../../src/leases/store.ts";
import { StatusFold } from "../../src/status/index.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";

/** Renewals answer from a script: "ok", "throttle" or "fault", one entry per call, then ok. */
class ScriptedRenewals extends MemoryLeaseStore {
  script: ("ok" | "throttle" | "fault")[] = [];
  override renewLease(lease: Lease): Promise<Outcome<Lease>> {
    const next = this.script.shift() ?? "ok";
    if (next === "throttle") return Promise.reject(new ThrottledError("slow down", { operation: "renew" }));
    if (next === "fault")
      return Promise.reject(
        new DependencyError("connection reset", "unreachable", { operation: "UpdateItem" }),
      );
    return super.renewLease(lease);
  }
}

async function settle<T>(clock: FakeClock, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let t = 0; t < 60_000 && !done; t += 10) await clock.advance(10);
  return p;
}

describe("renewal outcomes", () => {
  test("a fault is a lease-write-failed event, throttling a throttled one; the fold counts each result", async () => {
    const store = new ScriptedRenewals();
    store.put(newLease("s0"));
    const clock = new FakeClock();
    const events = new EventBus("w1", () => clock.now());
    const log: KclEvent[] = [];
    events.onAny((e) => log.push(e));
    const fold = new StatusFold({ workerId: "w1", app: "a", stream: "s", failoverMs: 10_000 });
    events.onAny((e) => fold.apply(e));
    const c = createLeaseCoordinator({
      store,
      workerId: "w1",
      config: resolveConfig({ app: "unit", stream: "unit" }),
      clock,
      random: seededRandom(1),
      events,
    });
    await c.takerTick();
    store.script = ["fault", "throttle"];
    await settle(clock, c.renewerTick());
    const failed = log.filter((e) => e.type === "lease-write-failed");
    expect(failed.map((e) => [e.leaseKey, e.operation])).toEqual([["s0", "renew"]]);
    expect(failed[0]).toMatchObject({ error: expect.stringContaining("connection reset") });
    expect(log.filter((e) => e.type === "throttled").map((e) => e.operation)).toEqual(["renew"]);
    const { counters } = fold.snapshot(clock.now());
    expect(counters.renewals).toEqual({ success: 1, throttled: 1, failed: 1, lost: 0 });
    expect(counters.throttles).toEqual({ kinesis: 0, dynamodb: 1 });
    expect(counters.leaseTakes.unowned).toBe(1);
  });
});

describe("checkpoint outcomes", () => {
  function checkpointer(write: () => Promise<Outcome<unknown>>) {
    const bus = new EventBus("w1", () => 0);
    const log: KclEvent[] = [];
    bus.onAny((e) => log.push(e));
    const cp = new ShardCheckpointer({
      shardId: "s0",
      leaseKey: "s0",
      initial: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
      events: bus,
      write,
    });
    cp.markDelivered({ sequenceNumber: "100", subSequenceNumber: 0 });
    const fold = new StatusFold({ workerId: "w1", app: "a", stream: "s", failoverMs: 10_000 });
    const counters = () => {
      for (const e of log) fold.apply(e);
      return fold.snapshot(0).counters;
    };
    return { cp, log, counters };
  }

  test("written: checkpoint-written, counted as success", async () => {
    const t = checkpointer(async () => ({ ok: true, value: undefined }));
    await t.cp.commit({ sequenceNumber: "100", subSequenceNumber: 0 }, "manual");
    expect(t.counters().checkpoints).toEqual({ success: 1, failed: 0 });
  });

  test("the lease is gone: checkpoint-failed (lease-lost), counted as failed", async () => {
    const t = checkpointer(async () => ({ ok: false, reason: "owner-mismatch" }));
    await t.cp.commit({ sequenceNumber: "100", subSequenceNumber: 0 }, "manual").catch(() => {});
    expect(t.log.filter((e) => e.type === "checkpoint-failed")).toMatchObject([
      { shardId: "s0", reason: "lease-lost", error: "lease s0 owner-mismatch" },
    ]);
    expect(t.counters().checkpoints).toEqual({ success: 0, failed: 1 });
  });

  test("the write throws: checkpoint-failed (error) and the error still reaches the caller", async () => {
    const t = checkpointer(() =>
      Promise.reject(new ThrottledError("slow down", { operation: "checkpoint" })),
    );
    const error = await t.cp
      .commit({ sequenceNumber: "100", subSequenceNumber: 0 }, "manual")
      .catch((e) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(t.log.filter((e) => e.type === "checkpoint-failed")).toMatchObject([{ reason: "error" }]);
    expect(t.counters().checkpoints).toEqual({ success: 0, failed: 1 });
  });
});
