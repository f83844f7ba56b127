// One worker's LeaseCoordinator against the memory store on a FakeClock: renewals, losses (stolen,
// fenced, expired-locally), SDK-retry recognition, serialization with checkpoints, release, events.
import { describe, expect, test } from "bun:test";
import { resolveConfig } from "../../src/config/resolve.ts";
import { ThrottledError } from "../../src/core/errors.ts";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createLeaseCoordinator } from "../../src/leases/coordinator.ts";
import type { Lease } from "../../src/leases/lease.ts";
import type { TableSnapshot } from "../../src/leases/assignment-store.ts";
import type { LeaseStore, Outcome } from "../../src/leases/store.ts";
import { FakeClock, flushAsync } from "../../src/testing/fake-clock.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";

const config = resolveConfig({ app: "unit", stream: "unit" }); // failover 10000, renew 3308, taker 2000
const cp = (sequenceNumber: string) => ({ checkpoint: { sequenceNumber, subSequenceNumber: 0 } });

/** A memory store whose renewals and scans can be intercepted. */
class ScriptedStore extends MemoryLeaseStore {
  renewHook?: (lease: Lease, real: () => Promise<Outcome<Lease>>) => Promise<Outcome<Lease>>;
  listHook?: () => Promise<Lease[]>;
  renewCalls: string[] = [];
  override renewLease(lease: Lease): Promise<Outcome<Lease>> {
    this.renewCalls.push(lease.leaseKey);
    const real = () => super.renewLease(lease);
    return this.renewHook ? this.renewHook(lease, real) : real();
  }
  override listLeases(): Promise<Lease[]> {
    return this.listHook ? this.listHook() : super.listLeases();
  }
  /** The taker scans through scanTable (leases and the Leader row in one Scan): the same hook. */
  override async scanTable(): Promise<TableSnapshot> {
    if (!this.listHook) return super.scanTable();
    return { leases: await this.listHook(), workers: [] };
  }
}

function setup(leases = 1, overrides: Partial<Parameters<typeof resolveConfig>[0]> = {}) {
  const store = new ScriptedStore();
  for (let i = 0; i < leases; i++) store.put(newLease(`s${i}`));
  const clock = new FakeClock();
  const events = new EventBus("w1", () => clock.now());
  const log: KclEvent[] = [];
  events.onAny((e) => log.push(e));
  const cfg = Object.keys(overrides).length
    ? resolveConfig({ app: "unit", stream: "unit", ...overrides })
    : config;
  const c = createLeaseCoordinator({
    store,
    workerId: "w1",
    config: cfg,
    clock,
    random: seededRandom(7),
    events,
  });
  const lost: [string, string][] = [];
  const acquired: string[] = [];
  c.onLost((k, r) => lost.push([k, r]));
  c.onAcquired((l) => acquired.push(l.leaseKey));
  const of = <T extends KclEvent["type"]>(type: T) =>
    log.filter((e) => e.type === type) as Extract<KclEvent, { type: T }>[];
  return { store, clock, log, c, lost, acquired, of };
}

/** Advances the fake clock in small steps until `p` settles (code under test sleeps on that clock). */
async function settle<T>(clock: FakeClock, p: Promise<T>, stepMs = 10, maxMs = 60_000): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let t = 0; t < maxMs && !done; t += stepMs) await clock.advance(stepMs);
  return p;
}

async function steal(store: LeaseStore, key: string, thief: string) {
  const out = await store.takeLease((await store.getLease(key))!, thief);
  if (!out.ok) throw new Error("steal failed");
}

describe("lease coordinator (one worker)", () => {
  test("takes unowned leases, renews them with a counter bump and a lease-renewed event", async () => {
    const { c, store, of, acquired } = setup(2);
    await c.takerTick();
    expect(acquired.sort()).toEqual(["s0", "s1"]);
    expect(of("lease-acquired").map((e) => e.how)).toEqual(["unowned", "unowned"]);
    await c.renewerTick();
    expect(store.peek("s0")!.leaseCounter).toBe(2);
    expect(c.getHeld("s0")!.leaseCounter).toBe(2);
    expect(of("lease-renewed")).toHaveLength(2);
    expect(of("lease-table-scanned")[0]!.liveWorkers).toEqual(["w1"]);
    expect(c.latestScan()!.leases).toHaveLength(2);
  });

  test("a stolen lease is lost at the next renew (reason stolen, newOwner), once, and never renewed again", async () => {
    const { c, store, of, lost } = setup(1);
    await c.takerTick();
    await steal(store, "s0", "w2");
    await c.renewerTick();
    expect(lost).toEqual([["s0", "stolen"]]);
    expect(of("lease-lost")[0]).toMatchObject({ reason: "stolen", newOwner: "w2", leaseCounter: 2 });
    const calls = store.renewCalls.length;
    await c.renewerTick();
    await c.renewerTick();
    expect(store.renewCalls.length).toBe(calls);
    expect(c.heldLeases()).toEqual([]);
    expect(lost).toHaveLength(1);
  });

  test("an SDK retry that applied is not mistaken for a loss (re-read: owner me, counter expected+1)", async () => {
    const { c, store, clock, lost, of } = setup(1);
    await c.takerTick();
    let first = true;
    store.renewHook = async (_lease, real) => {
      if (!first) return real();
      first = false;
      await real(); // applied…
      throw new ThrottledError("…but the response said throttled");
    };
    await settle(clock, c.renewerTick());
    expect(lost).toEqual([]);
    expect(of("throttled")).toHaveLength(1);
    expect(c.getHeld("s0")!.leaseCounter).toBe(2);
    expect(store.peek("s0")!.leaseCounter).toBe(2);
    expect(store.renewCalls).toHaveLength(2);
  });

  test("throttling is retried inside the lease budget and is no loss while a retry gets through", async () => {
    const { c, store, clock, lost } = setup(1);
    await c.takerTick();
    let throttles = 6;
    store.renewHook = (_l, real) =>
      throttles-- > 0 ? Promise.reject(new ThrottledError("slow down")) : real();
    await settle(clock, c.renewerTick());
    expect(lost).toEqual([]);
    expect(store.renewCalls).toHaveLength(7);
    expect(c.getHeld("s0")!.leaseCounter).toBe(2);
  });

  test("renewals failing until the lease is expired in our own view: lost as expired-locally, in budget", async () => {
    const { c, store, clock, lost, of } = setup(1);
    await c.takerTick();
    const takenAt = clock.monotonic();
    store.renewHook = () => Promise.reject(new ThrottledError("throttled forever"));
    await settle(clock, c.renewerTick());
    expect(lost).toEqual([["s0", "expired-locally"]]);
    expect(of("lease-lost")[0]!.reason).toBe("expired-locally");
    const elapsed = clock.monotonic() - takenAt;
    expect(elapsed).toBeGreaterThan(config.failoverMs);
    expect(elapsed).toBeLessThan(config.failoverMs + 100);
  });

  test("checkpoint and renew racing on leaseCounter are serialized: both apply, no loss", async () => {
    const { c, store, lost } = setup(1);
    await c.takerTick();
    const [, a, b] = await Promise.all([
      c.renewerTick(),
      c.checkpoint("s0", cp("100")),
      c.checkpoint("s0", cp("200")),
    ]);
    expect(a.ok && b.ok).toBe(true);
    expect(lost).toEqual([]);
    expect(store.peek("s0")).toMatchObject({ leaseCounter: 4, checkpoint: { sequenceNumber: "200" } });
    expect(c.getHeld("s0")!.leaseCounter).toBe(4);
  });

  test("a checkpoint queued for an earlier holding never applies to the lease re-acquired since", async () => {
    const { c, store } = setup(1);
    await c.takerTick();
    let unblock!: () => void;
    store.renewHook = async (_l, real) => {
      await new Promise<void>((r) => (unblock = r));
      return real();
    };
    const renewing = c.renewerTick();
    await flushAsync(); // the renewal is now in flight, blocked in the store
    const queued = c.checkpoint("s0", cp("100")); // waits behind the renewal
    c.dropLocally("s0");
    store.renewHook = undefined;
    await c.takerTick(); // the row still names us: adopted back as a new holding
    expect(c.getHeld("s0")).toBeDefined();
    unblock();
    await renewing;
    expect(await queued).toMatchObject({ ok: false });
    expect(store.peek("s0")!.checkpoint.sequenceNumber).toBe("TRIM_HORIZON");
    expect((await c.checkpoint("s0", cp("101"))).ok).toBe(true);
  });

  test("checkpoint after the lease was stolen: failed outcome, onLost once, lease-lost stolen", async () => {
    const { c, store, lost } = setup(1);
    await c.takerTick();
    await steal(store, "s0", "w2");
    const out = await c.checkpoint("s0", cp("100"));
    expect(out).toMatchObject({ ok: false, reason: "owner-mismatch", current: { leaseOwner: "w2" } });
    expect(lost).toEqual([["s0", "stolen"]]);
    expect(await c.checkpoint("s0", cp("101"))).toMatchObject({ ok: false });
    expect(lost).toHaveLength(1);
    expect(store.peek("s0")!.checkpoint.sequenceNumber).toBe("TRIM_HORIZON");
  });

  test("checkpoint fenced by a counter that moved without our write: checkpoint-fenced", async () => {
    const { c, store, lost } = setup(1);
    await c.takerTick();
    store.put({ ...store.peek("s0")!, leaseCounter: 40 }); // e.g. a second process with our worker id
    expect(await c.checkpoint("s0", cp("100"))).toMatchObject({ ok: false, reason: "counter-mismatch" });
    expect(lost).toEqual([["s0", "checkpoint-fenced"]]);
  });

  test("a checkpoint on a lease expired in our own view is refused without writing", async () => {
    const { c, store, clock, lost } = setup(1);
    await c.takerTick();
    await clock.advance(config.failoverMs + 1);
    expect(await c.checkpoint("s0", cp("100"))).toMatchObject({ ok: false });
    expect(lost).toEqual([["s0", "expired-locally"]]);
    expect(store.peek("s0")!.checkpoint.sequenceNumber).toBe("TRIM_HORIZON");
  });

  test("an offered checkpoint rides on the next renewal: one write, counter + 1, lease-renewed, settled ok", async () => {
    const { c, store, of } = setup(1);
    await c.takerTick();
    const writes = () => store.renewCalls.length;
    const offered = c.offerCheckpoint("s0", cp("100"));
    let settled: Outcome<Lease> | undefined | "pending" = "pending";
    offered.then((o) => (settled = o));
    await flushAsync();
    expect(settled).toBe("pending"); // nothing written until the renewal
    expect(store.peek("s0")!.checkpoint.sequenceNumber).toBe("TRIM_HORIZON");
    await c.renewerTick();
    expect(writes()).toBe(0); // the renewal was the checkpoint write: no renewLease call
    expect(store.peek("s0")).toMatchObject({ leaseCounter: 2, checkpoint: { sequenceNumber: "100" } });
    expect(await offered).toMatchObject({ ok: true, value: { leaseCounter: 2 } });
    expect(of("lease-renewed")).toHaveLength(1);
    await c.renewerTick(); // nothing new offered: a plain renewal
    expect(writes()).toBe(1);
    expect(store.peek("s0")).toMatchObject({ leaseCounter: 3, checkpoint: { sequenceNumber: "100" } });
  });

  test("offers: a newer one replaces the older (settled undefined); a direct checkpoint beyond covers it", async () => {
    const { c, store } = setup(1);
    await c.takerTick();
    const older = c.offerCheckpoint("s0", cp("100"));
    const newer = c.offerCheckpoint("s0", cp("200"));
    expect(await older).toBeUndefined();
    await c.renewerTick();
    expect((await newer)?.ok).toBe(true);
    expect(store.peek("s0")!.checkpoint.sequenceNumber).toBe("200");
    // Covered by a direct write further on: not written again, settled undefined (the direct write reports).
    const covered = c.offerCheckpoint("s0", cp("300"));
    expect((await c.checkpoint("s0", cp("400"))).ok).toBe(true);
    expect(await covered).toBeUndefined();
    await c.renewerTick();
    expect(store.peek("s0")!.checkpoint.sequenceNumber).toBe("400"); // never back to 300
  });

  test("an offer behind the table's checkpoint is not written: the renewal stays a plain renewal", async () => {
    const { c, store } = setup(1);
    await c.takerTick();
    expect((await c.checkpoint("s0", cp("500"))).ok).toBe(true);
    const behind = c.offerCheckpoint("s0", cp("300"));
    await c.renewerTick();
    expect(store.renewCalls).toHaveLength(1);
    expect(store.peek("s0")!.checkpoint.sequenceNumber).toBe("500");
    expect(await behind).toBeUndefined();
  });

  test("offers on a lease that is lost, released or dropped settle undefined and are never written", async () => {
    const { c, store, lost } = setup(3);
    await c.takerTick();
    const onLost = c.offerCheckpoint("s0", cp("100"));
    const onReleased = c.offerCheckpoint("s1", cp("100"));
    const onDropped = c.offerCheckpoint("s2", cp("100"));
    await steal(store, "s0", "w2");
    await c.renewerTick();
    expect(lost).toEqual([["s0", "stolen"]]);
    expect(await onLost).toBeUndefined();
    expect(store.peek("s0")!.checkpoint.sequenceNumber).toBe("TRIM_HORIZON");
    // s1 and s2 were carried by that renewal round: offer again, then leave before the next one.
    const again1 = c.offerCheckpoint("s1", cp("200"));
    const again2 = c.offerCheckpoint("s2", cp("200"));
    expect((await onReleased)?.ok).toBe(true);
    expect((await onDropped)?.ok).toBe(true);
    expect((await c.release("s1")).ok).toBe(true);
    c.dropLocally("s2");
    expect(await again1).toBeUndefined();
    expect(await again2).toBeUndefined();
    expect(store.peek("s1")!.checkpoint.sequenceNumber).toBe("100");
    expect(store.peek("s2")!.checkpoint.sequenceNumber).toBe("100");
    expect(await c.offerCheckpoint("s9", cp("1"))).toBeUndefined(); // never held
  });

  test("release: owner removed, counter+1, lease-released; not renewed again; taken by others as released", async () => {
    const { c, store, of, lost } = setup(1);
    await c.takerTick();
    const out = await c.release("s0");
    expect(out.ok).toBe(true);
    expect(store.peek("s0")!.leaseOwner).toBeUndefined();
    expect(store.peek("s0")!.leaseCounter).toBe(2);
    expect(of("lease-released")).toEqual([expect.objectContaining({ leaseKey: "s0", leaseCounter: 2 })]);
    const calls = store.renewCalls.length;
    await c.renewerTick();
    expect(store.renewCalls.length).toBe(calls);
    expect(lost).toEqual([]);
    // Another worker sees it as released (available at once, no expiry wait).
    const otherEvents = new EventBus("w2", () => 0);
    const hows: string[] = [];
    otherEvents.on("lease-acquired", (e) => hows.push(`${e.leaseKey}:${e.how}`));
    const other = createLeaseCoordinator({
      store,
      workerId: "w2",
      config,
      clock: new FakeClock(),
      random: seededRandom(1),
      events: otherEvents,
    });
    await other.takerTick();
    expect(hows).toEqual(["s0:released"]);
  });

  test("dropLocally stops renewals without writing; stopTaking stops the taker", async () => {
    const { c, store, acquired } = setup(2);
    await c.takerTick();
    c.dropLocally("s0");
    const before = store.peek("s0")!.leaseCounter;
    await c.renewerTick();
    expect(store.peek("s0")!.leaseCounter).toBe(before);
    expect(store.renewCalls).toEqual(["s1"]);
    c.stopTaking();
    store.put(newLease("s9"));
    await c.takerTick();
    expect(acquired.sort()).toEqual(["s0", "s1"]);
  });

  test("addChildShardIds records children without bumping the counter", async () => {
    const { c, store } = setup(1);
    await c.takerTick();
    await c.addChildShardIds("s0", ["s7", "s8"]);
    expect(store.peek("s0")).toMatchObject({ childShardIds: ["s7", "s8"], leaseCounter: 1 });
    expect(c.getHeld("s0")!.childShardIds).toEqual(["s7", "s8"]);
  });

  test("capacity warning when maxLeasesForWorker × workers < active leases (once per change)", async () => {
    const { c, of, acquired } = setup(5, { maxLeasesForWorker: 3 });
    await c.takerTick();
    await c.takerTick();
    expect(acquired).toHaveLength(3);
    expect(of("capacity-warning")).toHaveLength(1);
    expect(of("capacity-warning")[0]).toMatchObject({ leases: 5, capacity: 3 });
    expect(of("capacity-warning")[0]!.message).toContain("max-leases-for-worker");
  });

  test("an owned lease whose counter stops moving is observed expired once, after failoverMs", async () => {
    const { c, store, clock, of, acquired } = setup(0);
    store.put(newLease("s0", { leaseOwner: "dead", leaseCounter: 3 }));
    await c.takerTick();
    expect(acquired).toEqual([]);
    await clock.advance(config.failoverMs);
    await c.takerTick();
    expect(acquired).toEqual([]); // exactly failoverMs is not yet "more than" failoverMs
    await clock.advance(1);
    await c.takerTick();
    await c.takerTick();
    expect(acquired).toEqual(["s0"]);
    expect(of("lease-expired-observed")).toEqual([
      expect.objectContaining({
        leaseKey: "s0",
        owner: "dead",
        leaseCounter: 3,
        unchangedForMs: config.failoverMs + 1,
      }),
    ]);
    expect(of("lease-acquired")[0]).toMatchObject({ how: "expired", previousOwner: "dead" });
  });

  test("the renewer keeps its own timer: a hung table scan never delays renewals", async () => {
    const { c, store, clock } = setup(1);
    await c.takerTick();
    store.listHook = () => new Promise<Lease[]>(() => {}); // the taker's next scan never returns
    const abort = new AbortController();
    const running = c.run(abort.signal);
    await clock.advance(config.renewIntervalMs * 3 + 1);
    expect(store.renewCalls).toHaveLength(3);
    expect(store.peek("s0")!.leaseCounter).toBe(4);
    abort.abort();
    await running;
  });

  test("run(): takes at once, renews every renewIntervalMs, and stops cleanly on abort", async () => {
    const { c, store, clock, acquired } = setup(2);
    const abort = new AbortController();
    const running = c.run(abort.signal);
    await clock.advance(0);
    expect(acquired).toHaveLength(2);
    await clock.advance(config.renewIntervalMs * 2);
    expect(store.renewCalls).toHaveLength(4);
    abort.abort();
    await running;
    await clock.advance(config.renewIntervalMs * 2);
    expect(store.renewCalls).toHaveLength(4);
    expect(clock.pendingSleeps).toBe(0);
  });
});
