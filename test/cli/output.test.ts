// --output lines|json: which events print, how they read, and the periodic records summary.
import { describe, expect, test } from "bun:test";
import { effectiveMode, startStreamOutput } from "../../cli/output/index.ts";
import { describeEvent } from "../../cli/output/lines.ts";
import { RecordsSummary } from "../../cli/output/summary.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import { EventBus, type KclEvent, type KclEventBody } from "../../src/core/events.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";

const config = resolveConfig({ app: "app1", stream: "s1" });
const ev = (body: KclEventBody): KclEvent => ({ ...body, workerId: "w1", at: 0 }) as KclEvent;

function setup(mode: "lines" | "json") {
  const clock = new FakeClock(0, Date.UTC(2026, 0, 1, 12, 0, 0));
  const bus = new EventBus("w1", () => clock.now());
  let out = "";
  let tick: () => void = () => {};
  const output = startStreamOutput(mode, {
    events: bus,
    config,
    stdout: { write: (s: string) => (out += s) },
    requestStop: () => {},
    clock,
    every: (_ms, fn) => {
      tick = fn;
      return () => {
        tick = () => {};
      };
    },
  });
  return { bus, clock, output, out: () => out, tick: () => tick() };
}

const records = (shardId: string, count: number, lag?: number): KclEventBody => ({
  type: "records-processed",
  shardId,
  count,
  bytes: count * 10,
  millisBehindLatest: lag,
  durationMs: 1,
});

describe("lines", () => {
  test("lease movements read as sentences with who and why", () => {
    expect(
      describeEvent(
        ev({
          type: "lease-acquired",
          leaseKey: "shardId-1",
          leaseCounter: 5,
          how: "expired",
          previousOwner: "w2",
        }),
      ),
    ).toBe("+ acquired shardId-1 (expired from w2, counter 5)");
    expect(
      describeEvent(ev({ type: "lease-lost", leaseKey: "shardId-1", reason: "stolen", newOwner: "w3" })),
    ).toBe("- lost shardId-1 (stolen, now owned by w3)");
    expect(
      describeEvent(
        ev({
          type: "processor-error",
          shardId: "shardId-2",
          error: "Error: x",
          attempt: 2,
          action: "retry",
          retryInMs: 2000,
          records: 9,
        }),
      ),
    ).toContain("retrying in 2000 ms");
    expect(describeEvent(ev({ type: "assigner-role", assigner: true, replaced: "w2" }))).toBe(
      "* this worker is now the fleet's assigner (scans the lease table, assigns and balances leases); replaced w2, silent for the lock's duration",
    );
    expect(describeEvent(ev({ type: "assigner-role", assigner: false }))).toBe(
      "* this worker is no longer the fleet's assigner",
    );
  });

  test("heartbeats, scans, per-batch records and auto checkpoints are not printed one by one", () => {
    expect(describeEvent(ev({ type: "lease-renewed", leaseKey: "k", leaseCounter: 1 }))).toBeUndefined();
    expect(describeEvent(ev({ type: "lease-table-scanned", leases: [], liveWorkers: [] }))).toBeUndefined();
    expect(describeEvent(ev(records("shardId-0", 3)))).toBeUndefined();
    expect(
      describeEvent(
        ev({
          type: "checkpoint-written",
          shardId: "s",
          sequenceNumber: "1",
          subSequenceNumber: 0,
          by: "auto",
        }),
      ),
    ).toBeUndefined();
    expect(
      describeEvent(
        ev({
          type: "checkpoint-written",
          shardId: "s",
          sequenceNumber: "1",
          subSequenceNumber: 0,
          by: "manual",
        }),
      ),
    ).toBe("checkpoint s at 1 (manual)");
  });

  test("records/s and lag are summarised per interval, with per-shard counts", async () => {
    const o = setup("lines");
    o.bus.emit(records("shardId-1", 40, 300));
    o.bus.emit(records("shardId-0", 10, 0));
    o.bus.emit(records("shardId-1", 50, 1200));
    o.bus.emit({
      type: "checkpoint-written",
      shardId: "shardId-1",
      sequenceNumber: "9",
      subSequenceNumber: 0,
      by: "auto",
    });
    expect(o.out()).toBe("");
    await o.clock.advance(5000);
    o.tick();
    expect(o.out()).toBe(
      "12:00:05.000 records: 100 in 5.0 s (20/s), max lag 1200 ms; 1 auto checkpoints; shardId-0 10 (lag 0 ms), shardId-1 90 (lag 1200 ms)\n",
    );
    await o.clock.advance(5000);
    o.tick();
    expect(o.out().split("\n").length).toBe(2); // an idle window prints nothing
  });

  test("stop() flushes the last window; the final records come before the stop lines", async () => {
    const o = setup("lines");
    o.bus.emit(records("shardId-0", 7));
    o.bus.emit({ type: "worker-stopping", reason: "SIGINT" });
    const lines = o.out().trim().split("\n");
    expect(lines[0]).toContain("records: 7");
    expect(lines[1]).toContain("worker stopping (SIGINT)");
    o.bus.emit(records("shardId-0", 1));
    await o.output.stop();
    expect(o.out()).toContain("records: 1 in");
  });
});

describe("json", () => {
  test("one JSON object per event; records folded into records-summary", async () => {
    const o = setup("json");
    o.bus.emit({ type: "lease-acquired", leaseKey: "shardId-0", leaseCounter: 1, how: "unowned" });
    o.bus.emit({ type: "lease-renewed", leaseKey: "shardId-0", leaseCounter: 2 });
    o.bus.emit(records("shardId-0", 5, 10));
    await o.clock.advance(1000);
    await o.output.stop();
    const objects = o
      .out()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(objects.map((x) => x.type)).toEqual(["lease-acquired", "records-summary"]);
    expect(objects[0]).toMatchObject({ leaseKey: "shardId-0", workerId: "w1", how: "unowned" });
    expect(objects[1]).toMatchObject({
      workerId: "w1",
      records: 5,
      recordsPerSecond: 5,
      shards: { "shardId-0": { records: 5 } },
    });
  });
});

describe("mode selection", () => {
  test("dashboard needs a TTY on stdout and stdin; otherwise lines", () => {
    expect(effectiveMode("dashboard", { write() {}, isTTY: false }, true)).toBe("lines");
    expect(effectiveMode("dashboard", { write() {}, isTTY: true }, false)).toBe("lines");
    expect(effectiveMode("dashboard", { write() {}, isTTY: true }, true)).toBe("dashboard");
    expect(effectiveMode("json", { write() {}, isTTY: true }, true)).toBe("json");
  });

  test("RecordsSummary rate uses the real window length", () => {
    const s = new RecordsSummary(0);
    s.addRecords(ev(records("a", 30)) as Extract<KclEvent, { type: "records-processed" }>);
    expect(s.take(2000)?.recordsPerSecond).toBe(15);
    expect(s.take(4000)).toBeUndefined();
  });
});

describe("quiet by default", () => {
  test("routine shard-state transitions are not printed; a stall with a detail is", () => {
    expect(describeEvent(ev({ type: "shard-state", shardId: "s", state: "processing" }))).toBeUndefined();
    expect(
      describeEvent(ev({ type: "shard-state", shardId: "s", state: "waiting-on-parents" })),
    ).toBeUndefined();
    expect(
      describeEvent(
        ev({
          type: "shard-state",
          shardId: "s",
          state: "waiting-on-parents",
          detail: "waiting for parent p",
        }),
      ),
    ).toBe("s waiting-on-parents (waiting for parent p)");
  });

  test("a window of empty polls without lag prints nothing", () => {
    const s = new RecordsSummary(0);
    s.addRecords(ev(records("a", 0, 0)) as Extract<KclEvent, { type: "records-processed" }>);
    expect(s.take(5000)).toBeUndefined();
    s.addRecords(ev(records("a", 0, 0)) as Extract<KclEvent, { type: "records-processed" }>);
    s.addRecords(ev(records("b", 4, 0)) as Extract<KclEvent, { type: "records-processed" }>);
    expect(Object.keys(s.take(10_000)?.shards ?? {})).toEqual(["b"]);
  });
});
