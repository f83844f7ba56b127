// The status fold: engine events in, WorkerStatus out — header, held leases, fleet, movement log.
import { describe, expect, test } from "bun:test";
import { foldStatus, StatusFold } from "../../src/status/index.ts";
import { EventScript, FOLD_OPTIONS, leaseView, ME, shard, T0 } from "./events.ts";

function started(): EventScript {
  return new EventScript().emit({
    type: "worker-started",
    app: "demo-dash",
    stream: "demo",
    table: "demo-dash",
    region: "eu-west-1",
    endpoint: "http://127.0.0.1:4567",
  });
}

describe("header", () => {
  test("before worker-started: starting, nothing held, no uptime", () => {
    const s = foldStatus([], FOLD_OPTIONS, T0);
    expect(s.header).toMatchObject({
      app: "demo-dash",
      stream: "demo",
      region: "us-east-1",
      workerId: ME,
      phase: "starting",
      uptimeMs: 0,
      leasesHeld: 0,
      leasesTotal: 0,
      liveWorkers: 0,
      recordsPerSecond: 0,
    });
    expect(s.leases).toEqual([]);
    expect(s.events).toEqual([]);
    expect(s.failoverMs).toBe(10_000);
  });

  test("worker-started sets table, region, endpoint and the uptime origin; stopping and stopped follow", () => {
    const script = started().step(65_000);
    let s = foldStatus(script.events, FOLD_OPTIONS, script.t);
    expect(s.header).toMatchObject({
      phase: "running",
      table: "demo-dash",
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:4567",
      uptimeMs: 65_000,
      liveWorkers: 1,
    });
    script.emit({ type: "worker-stopping", reason: "q pressed" });
    s = foldStatus(script.events, FOLD_OPTIONS, script.t);
    expect(s.header.phase).toBe("stopping");
    expect(s.header.stopReason).toBe("q pressed");
    script.emit({ type: "worker-stopped", clean: true });
    expect(foldStatus(script.events, FOLD_OPTIONS, script.t).header.phase).toBe("stopped");
  });

  test("assigner mode: the header says while this worker is the assigner; the log says when it changed", () => {
    const script = started().step(1000);
    expect(foldStatus(script.events, FOLD_OPTIONS, script.t).header.assigner).toBeUndefined();
    script.emit({ type: "assigner-role", assigner: true, replaced: "w-old" }).step(1000);
    let s = foldStatus(script.events, FOLD_OPTIONS, script.t);
    expect(s.header.assigner).toBe(true);
    expect(s.events.at(-1)?.text).toBe("became the fleet's assigner (replacing silent w-old)");
    script.emit({ type: "assigner-role", assigner: false });
    s = foldStatus(script.events, FOLD_OPTIONS, script.t);
    expect(s.header.assigner).toBe(false);
    expect(s.events.at(-1)).toMatchObject({ severity: "warn", text: "no longer the fleet's assigner" });
  });
});

describe("held leases", () => {
  test("four acquired leases with heartbeats, lag, trend and records/s", () => {
    const script = started();
    for (const n of [3, 1, 0, 2]) {
      script.emit({ type: "lease-acquired", leaseKey: shard(n), leaseCounter: 1, how: "unowned" });
      script.emit({ type: "shard-state", shardId: shard(n), state: "processing" });
    }
    for (let second = 0; second < 10; second++) {
      script.step(1000);
      for (const n of [0, 1, 2, 3]) {
        script.emit({
          type: "records-processed",
          shardId: shard(n),
          count: 100 * (n + 1),
          bytes: 1000 * (n + 1),
          millisBehindLatest: 1000 * n + second,
          durationMs: 5,
        });
      }
    }
    script.emit({ type: "lease-renewed", leaseKey: shard(2), leaseCounter: 7 });
    script.step(1500);
    const s = foldStatus(script.events, FOLD_OPTIONS, script.t);
    expect(s.leases.map((l) => l.leaseKey)).toEqual([shard(0), shard(1), shard(2), shard(3)]);
    const l2 = s.leases[2]!;
    expect(l2.state).toBe("processing");
    expect(l2.leaseCounter).toBe(7);
    expect(l2.heartbeatAgeMs).toBe(1500);
    expect(s.leases[0]!.heartbeatAgeMs).toBe(11_500); // only acquired, never renewed
    expect(l2.lagMs).toBe(2009);
    expect(l2.lagTrend).toEqual([2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009]);
    expect(l2.recordsTotal).toBe(3000);
    // Steady 300 records/s on shard 2; the window is 5 s plus the current partial second.
    expect(l2.recordsPerSecond).toBeGreaterThan(240);
    expect(l2.recordsPerSecond).toBeLessThanOrEqual(300);
    expect(s.header.recordsTotal).toBe(10_000);
    expect(s.header.maxLagMs).toBe(3009);
    expect(s.header.leasesHeld).toBe(4);
    expect(s.header.leasesTotal).toBe(4);
  });

  test("lost, released and stolen-away leases leave; late shard-state does not bring them back", () => {
    const script = started();
    for (const n of [0, 1, 2])
      script.emit({ type: "lease-acquired", leaseKey: shard(n), leaseCounter: 1, how: "unowned" });
    script.emit({ type: "lease-lost", leaseKey: shard(0), reason: "stolen", newOwner: "worker-b" });
    script.emit({ type: "lease-released", leaseKey: shard(1), leaseCounter: 3 });
    script.emit({ type: "shard-state", shardId: shard(0), state: "lease-lost" });
    script.emit({ type: "records-processed", shardId: shard(0), count: 5, bytes: 5, durationMs: 1 });
    const s = foldStatus(script.events, FOLD_OPTIONS, script.t);
    expect(s.leases.map((l) => l.leaseKey)).toEqual([shard(2)]);
    expect(s.header.recordsTotal).toBe(5); // counted for the worker even though the row is gone
  });

  test("a steal shows as one held row (acquired + stolen events) with the victim as previous owner", () => {
    const script = started()
      .emit({
        type: "lease-acquired",
        leaseKey: shard(4),
        leaseCounter: 9,
        how: "stolen",
        previousOwner: "worker-b",
      })
      .emit({ type: "lease-stolen", leaseKey: shard(4), from: "worker-b", leaseCounter: 9 });
    const s = foldStatus(script.events, FOLD_OPTIONS, script.t);
    expect(s.leases).toHaveLength(1);
    expect(s.leases[0]).toMatchObject({ how: "stolen", previousOwner: "worker-b", leaseCounter: 9 });
  });

  test("checkpoint: the table scan fills it, a newer checkpoint-written wins, an older scan does not undo it", () => {
    const script = started()
      .emit({ type: "lease-acquired", leaseKey: shard(0), leaseCounter: 2, how: "unowned" })
      .emit({
        type: "lease-table-scanned",
        leases: [leaseView(0, { leaseOwner: ME, checkpoint: "100" })],
        liveWorkers: [ME],
      });
    expect(foldStatus(script.events, FOLD_OPTIONS, script.t).leases[0]!.checkpoint).toEqual({
      sequenceNumber: "100",
      subSequenceNumber: 0,
    });
    script.step(10).emit({
      type: "checkpoint-written",
      shardId: shard(0),
      sequenceNumber: "250",
      subSequenceNumber: 3,
      by: "auto",
    });
    script.emit({
      type: "lease-table-scanned",
      leases: [leaseView(0, { leaseOwner: ME, checkpoint: "100", leaseCounter: 5 })],
      liveWorkers: [ME],
    });
    const l = foldStatus(script.events, FOLD_OPTIONS, script.t).leases[0]!;
    expect(l.checkpoint).toEqual({ sequenceNumber: "250", subSequenceNumber: 3, at: T0 + 10, by: "auto" });
    expect(l.leaseCounter).toBe(5);
    expect(l.table?.checkpoint).toBe("100");
  });

  test("a malformed checkpoint in the table does not break the fold", () => {
    const script = started()
      .emit({ type: "lease-acquired", leaseKey: shard(0), leaseCounter: 2, how: "unowned" })
      .emit({
        type: "checkpoint-written",
        shardId: shard(0),
        sequenceNumber: "5",
        subSequenceNumber: 0,
        by: "auto",
      })
      .emit({
        type: "lease-table-scanned",
        leases: [leaseView(0, { checkpoint: "not-a-number" })],
        liveWorkers: [],
      });
    expect(foldStatus(script.events, FOLD_OPTIONS, script.t).leases[0]!.checkpoint?.sequenceNumber).toBe("5");
  });

  test("processor errors count per lease and keep the last one", () => {
    const script = started().emit({
      type: "lease-acquired",
      leaseKey: shard(1),
      leaseCounter: 1,
      how: "unowned",
    });
    for (const attempt of [1, 2]) {
      script.step(1000).emit({
        type: "processor-error",
        shardId: shard(1),
        error: `Error: boom ${attempt}`,
        attempt,
        action: "retry",
        retryInMs: 1000 * attempt,
        records: 10,
      });
    }
    const s = foldStatus(script.events, FOLD_OPTIONS, script.t);
    expect(s.leases[0]!.errors).toBe(2);
    expect(s.leases[0]!.lastError).toEqual({
      at: T0 + 2000,
      message: "Error: boom 2",
      attempt: 2,
      action: "retry",
      retryInMs: 2000,
    });
    expect(s.header.errors).toBe(2);
    expect(s.events.at(-1)).toMatchObject({
      severity: "error",
      leaseKey: shard(1),
      text: `processor error on ${shard(1)} (attempt 2, retry in 2.0s): Error: boom 2`,
    });
  });
});

describe("fleet from lease table scans", () => {
  test("workers with lease counts, unowned, finished and a child blocked on its parent", () => {
    const script = started().emit({
      type: "lease-table-scanned",
      liveWorkers: [ME, "worker-b", "worker-idle"],
      leases: [
        leaseView(0, { leaseOwner: ME }),
        leaseView(1, { leaseOwner: "worker-b", childShardIds: [shard(4), shard(5)] }),
        leaseView(2, { leaseOwner: "worker-b" }),
        leaseView(3, { checkpoint: "SHARD_END", leaseOwner: "worker-b" }),
        leaseView(4, { parentShardIds: [shard(1)] }),
        leaseView(5, { parentShardIds: [shard(1)], leaseOwner: "worker-gone" }),
        leaseView(6, { parentShardIds: [shard(3)] }), // parent finished: free to start
        leaseView(7, { parentShardIds: ["shardId-gone"] }), // parent deleted: free to start
        leaseView(8, { leaseOwner: "worker-b", checkpointOwner: ME }),
      ],
    });
    const s = foldStatus(script.events, FOLD_OPTIONS, script.t);
    expect(s.fleet.scannedAt).toBe(T0);
    expect(s.fleet.workers).toEqual([
      { workerId: ME, leases: 1, live: true, isMe: true },
      { workerId: "worker-b", leases: 3, live: true, isMe: false },
      { workerId: "worker-gone", leases: 1, live: false, isMe: false },
      { workerId: "worker-idle", leases: 0, live: true, isMe: false },
    ]);
    expect(s.fleet.unowned).toEqual([shard(4), shard(6), shard(7)]);
    expect(s.fleet.finished).toEqual([shard(3)]);
    expect(s.fleet.blocked).toEqual([
      { leaseKey: shard(4), waitingOn: [shard(1)] },
      { leaseKey: shard(5), waitingOn: [shard(1)] },
    ]);
    expect(s.fleet.leases.map((l) => l.state)).toEqual([
      "owned",
      "owned",
      "owned",
      "finished",
      "unowned",
      "owned",
      "unowned",
      "unowned",
      "handoff",
    ]);
    expect(s.header.leasesTotal).toBe(8);
    expect(s.header.liveWorkers).toBe(3);
  });
});

describe("movement log", () => {
  test("explains movement in order, skips heartbeats and records, coalesces repeats", () => {
    const script = started()
      .emit({
        type: "lease-acquired",
        leaseKey: shard(0),
        leaseCounter: 1,
        how: "expired",
        previousOwner: "worker-dead",
      })
      .emit({ type: "lease-renewed", leaseKey: shard(0), leaseCounter: 2 })
      .emit({ type: "records-processed", shardId: shard(0), count: 1, bytes: 1, durationMs: 1 })
      .emit({
        type: "lease-expired-observed",
        leaseKey: shard(1),
        owner: "worker-dead",
        leaseCounter: 4,
        unchangedForMs: 10_200,
      })
      .emit({ type: "lease-stolen", leaseKey: shard(2), from: "worker-b", leaseCounter: 3 })
      .emit({ type: "lease-lost", leaseKey: shard(0), reason: "stolen", newOwner: "worker-c" })
      .emit({ type: "throttled", operation: "GetRecords", shardId: shard(2), retryInMs: 500 })
      .emit({ type: "throttled", operation: "GetRecords", shardId: shard(2), retryInMs: 500 })
      .step(300)
      .emit({ type: "throttled", operation: "GetRecords", shardId: shard(2), retryInMs: 500 })
      .emit({ type: "shard-ended", shardId: shard(2), childShardIds: [shard(4), shard(5)] })
      .emit({ type: "child-leases-created", parentShardId: shard(2), childShardIds: [shard(4), shard(5)] })
      .emit({ type: "shard-sync", shards: 4, leasesCreated: [], durationMs: 3 })
      .emit({ type: "lease-released", leaseKey: shard(2), leaseCounter: 9 });
    const s = foldStatus(script.events, FOLD_OPTIONS, script.t);
    expect(s.events.map((e) => [e.severity, e.text, e.count])).toEqual([
      ["info", "worker started (lease table demo-dash)", 1],
      ["info", `acquired ${shard(0)} (expired from worker-dead)`, 1],
      ["warn", `${shard(1)} of worker-dead expired (counter unchanged 10.2s)`, 1],
      ["warn", `stole ${shard(2)} from worker-b`, 1],
      ["warn", `lost ${shard(0)} to worker-c (stolen)`, 1],
      ["warn", `throttled: GetRecords on ${shard(2)}, retry in 500ms`, 3],
      ["info", `${shard(2)} ended, children ${shard(4)}, ${shard(5)}`, 1],
      ["info", `child leases ${shard(4)}, ${shard(5)} created for ${shard(2)}`, 1],
      ["info", `released ${shard(2)}`, 1],
    ]);
    expect(s.events[5]!.at).toBe(T0 + 300); // a coalesced line shows its latest time
  });

  test("keeps only the newest lines", () => {
    const fold = new StatusFold({ ...FOLD_OPTIONS, logSize: 3 });
    const script = new EventScript();
    for (let n = 0; n < 10; n++) script.emit({ type: "lease-released", leaseKey: shard(n), leaseCounter: 1 });
    for (const e of script.events) fold.apply(e);
    expect(fold.snapshot(script.t).events.map((e) => e.leaseKey)).toEqual([shard(7), shard(8), shard(9)]);
  });
});

describe("fold mechanics", () => {
  test("a snapshot does not change when more events arrive", () => {
    const fold = new StatusFold(FOLD_OPTIONS);
    const script = started().emit({
      type: "lease-acquired",
      leaseKey: shard(0),
      leaseCounter: 1,
      how: "unowned",
    });
    for (const e of script.events) fold.apply(e);
    const before = fold.snapshot(script.t);
    const copy = structuredClone(before);
    fold.apply({ type: "lease-renewed", leaseKey: shard(0), leaseCounter: 2, workerId: ME, at: T0 + 5 });
    fold.apply({
      type: "records-processed",
      shardId: shard(0),
      count: 1,
      bytes: 1,
      millisBehindLatest: 9,
      durationMs: 1,
      workerId: ME,
      at: T0 + 5,
    });
    fold.apply({ type: "throttled", operation: "x", retryInMs: 1, workerId: ME, at: T0 + 5 });
    expect(before).toEqual(copy);
    expect(fold.version).toBe(script.events.length + 3);
  });

  test("records-processed is a counter update: 200k events leave no trace but the totals", () => {
    const fold = new StatusFold(FOLD_OPTIONS);
    for (const n of [0, 1, 2, 3]) {
      fold.apply({
        type: "lease-acquired",
        leaseKey: shard(n),
        leaseCounter: 1,
        how: "unowned",
        workerId: ME,
        at: T0,
      });
    }
    const event = {
      type: "records-processed" as const,
      shardId: "",
      count: 10,
      bytes: 100,
      millisBehindLatest: 0,
      durationMs: 1,
      workerId: ME,
      at: T0,
    };
    const shards = [shard(0), shard(1), shard(2), shard(3)];
    const logged = fold.snapshot(T0).events.length;
    for (let i = 0; i < 200_000; i++) {
      event.shardId = shards[i & 3]!;
      event.at = T0 + i / 100;
      event.millisBehindLatest = i;
      fold.apply(event);
    }
    const after = fold.snapshot(T0 + 2000);
    expect(after.header.recordsTotal).toBe(2_000_000);
    // Nothing per event is kept (the event log does not grow): constant space, constant work. How many
    // events a second that is: `npm run bench dashboard` (target ≥ 500,000 events/s).
    expect(after.events.length).toBe(logged);
  });
});
