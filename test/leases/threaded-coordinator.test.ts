// The main thread's side of the lease thread, driven message by message through a scripted thread
// handle (the port ThreadedLeaseCoordinator talks to): what it does when the thread's renewer/taker
// loop ends with an error, and how its change messages keep the mirror and the events exact. (Real threads, stalls and crashes: lease-thread-faults.test.ts.)
import { expect, test } from "bun:test";
import { InvariantViolationError } from "../../src/core/errors.ts";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import type { Lease } from "../../src/leases/lease.ts";
import { toView } from "../../src/leases/taker.ts";
import type { FromThread, ToThread } from "../../src/leases/thread/protocol.ts";
import {
  type LeaseThreadHandle,
  ThreadedLeaseCoordinator,
} from "../../src/leases/thread/threaded-coordinator.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";

function scriptedThread() {
  const posted: ToThread[] = [];
  let deliver: (m: FromThread) => void = () => {};
  let terminated = false;
  const handle: LeaseThreadHandle = {
    post: (m) => posted.push(m),
    onMessage: (cb) => {
      deliver = cb;
    },
    onExit: () => {},
    terminate: async () => {
      terminated = true;
    },
  };
  return { handle, posted, send: (m: FromThread) => deliver(m), terminated: () => terminated };
}

const lease = (leaseKey: string): Lease => ({
  leaseKey,
  leaseOwner: "w1",
  leaseCounter: 3,
  checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
  ownerSwitchesSinceCheckpoint: 0,
  parentShardIds: [],
  childShardIds: [],
});

test("a renewer/taker loop that failed in the thread: every lease lost, the worker told, run() ends", async () => {
  const clock = new FakeClock();
  const events = new EventBus("w1", () => clock.now());
  const seen: KclEvent[] = [];
  events.onAny((e) => seen.push(e));
  const thread = scriptedThread();
  const failures: unknown[] = [];
  const lost: string[] = [];
  const coordinator = new ThreadedLeaseCoordinator({
    thread: thread.handle,
    workerId: "w1",
    failoverMs: 10_000,
    renewIntervalMs: 3000,
    clock,
    events,
    onFailure: (e) => failures.push(e),
  });
  coordinator.onLost((key) => lost.push(key));
  thread.send({ type: "acquired", lease: lease("shardId-000000000000") });
  thread.send({ type: "acquired", lease: lease("shardId-000000000001") });
  const running = coordinator.run(new AbortController().signal);
  expect(thread.posted).toContainEqual({ type: "run" });
  thread.send({ type: "run-ended", error: { name: "TypeError", message: "boom" } });
  await running;
  expect(failures).toHaveLength(1);
  expect(failures[0]).toBeInstanceOf(InvariantViolationError);
  expect(String(failures[0])).toContain("renewer/taker loop failed (TypeError: boom)");
  expect(lost.sort()).toEqual(["shardId-000000000000", "shardId-000000000001"]);
  expect(seen.filter((e) => e.type === "lease-lost")).toHaveLength(2);
  expect(coordinator.heldLeases()).toEqual([]);
  expect(thread.terminated()).toBe(true);
  // Writes after the failure are refused at once, never sent to a thread that no longer runs the loop.
  const posted = thread.posted.length;
  await expect(coordinator.release("shardId-000000000000")).rejects.toThrow(/lease thread failed/);
  expect(thread.posted).toHaveLength(posted);
});

test("changes from the thread: heartbeats, renewal batches and scans keep the mirror and the events exact", () => {
  const clock = new FakeClock();
  const events = new EventBus("w1", () => clock.now());
  const seen: KclEvent[] = [];
  events.onAny((e) => seen.push(e));
  const thread = scriptedThread();
  const coordinator = new ThreadedLeaseCoordinator({
    thread: thread.handle,
    workerId: "w1",
    failoverMs: 10_000,
    renewIntervalMs: 3000,
    clock,
    events,
    onFailure: () => {},
  });
  const a = lease("shardId-000000000000");
  const b = lease("shardId-000000000001");
  thread.send({ type: "heartbeat", held: { changed: [a, b] } });
  thread.send({ type: "renewed", keys: [a.leaseKey, b.leaseKey], counters: [4, 5] });
  expect(seen.filter((e) => e.type === "lease-renewed").map((e) => [e.leaseKey, e.leaseCounter])).toEqual([
    [a.leaseKey, 4],
    [b.leaseKey, 5],
  ]);
  expect(coordinator.getHeld(a.leaseKey)).toEqual({ ...a, leaseCounter: 4 });
  // A batch overtaken by a later counter (a checkpoint's reply) never lowers it.
  thread.send({ type: "renewed", keys: [a.leaseKey], counters: [3] });
  expect(coordinator.getHeld(a.leaseKey)?.leaseCounter).toBe(4);
  // A heartbeat without changes: the thread is alive, the mirror unchanged.
  thread.send({ type: "heartbeat" });
  expect(coordinator.heldLeases()).toEqual([
    { ...a, leaseCounter: 4 },
    { ...b, leaseCounter: 5 },
  ]);
  thread.send({ type: "heartbeat", held: { gone: [b.leaseKey] } });
  expect(coordinator.heldLeases().map((l) => l.leaseKey)).toEqual([a.leaseKey]);

  const other = { ...lease("shardId-000000000002"), leaseOwner: "w2" };
  thread.send({
    type: "scan",
    changes: { changed: [a, other], order: [a.leaseKey, other.leaseKey] },
    liveWorkers: ["w1", "w2"],
  });
  thread.send({ type: "scan", changes: { counterKeys: [other.leaseKey], counters: [9] } });
  const scans = seen.filter((e) => e.type === "lease-table-scanned");
  expect(scans).toHaveLength(2);
  expect(scans[1]).toMatchObject({
    liveWorkers: ["w1", "w2"],
    leases: [toView(a), toView({ ...other, leaseCounter: 9 })],
  });
  expect(coordinator.latestScan()).toEqual({
    leases: [a, { ...other, leaseCounter: 9 }],
    liveWorkers: ["w1", "w2"],
  });
});
