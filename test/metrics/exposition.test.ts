// The whole /metrics text for one fixed event history, byte for byte: the collector's rendering may
// get cheaper, never different. The golden file was written by the collector built on prom-client's
// Counter, Gauge and Histogram (commit 7d1a604); regenerate only for an intended change
// (KCL_UPDATE_GOLDEN=1 bun test test/metrics/exposition.test.ts) and review the diff.
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MetricsCollector } from "../../cli/metrics/collector.ts";
import { EventBus, type KclEventBody, type LeaseView } from "../../src/core/events.ts";
import { parsePrometheusText } from "../support/prom-text.ts";

const GOLDEN = join(import.meta.dir, "fixtures", "exposition.golden.txt");

const row = (leaseKey: string, leaseOwner: string): LeaseView => ({
  leaseKey,
  leaseOwner,
  leaseCounter: 3,
  checkpoint: "49590338271490256608559692538361571095921575989136588898",
  checkpointSubSequenceNumber: 0,
  parentShardIds: [],
  childShardIds: [],
  ownerSwitchesSinceCheckpoint: 0,
});

/** Every kind of event the collector reads: takes, records, lag, renewals, faults, loss, shard end. */
function history(): KclEventBody[] {
  const events: KclEventBody[] = [
    { type: "worker-started", app: "orders", stream: "orders-stream", table: "orders" },
    { type: "shard-sync", shards: 5, leasesCreated: ["shardId-000000000000"], durationMs: 40 },
  ];
  const keys = [
    "shardId-000000000000",
    "shardId-000000000001",
    "shardId-000000000002",
    "shardId-000000000003",
  ];
  keys.forEach((leaseKey, i) => {
    events.push({
      type: "lease-acquired",
      leaseKey,
      leaseCounter: 1,
      how: (["unowned", "expired", "released", "unowned"] as const)[i]!,
    });
  });

  events.push({ type: "lease-stolen", leaseKey: "shardId-000000000004", from: "w2", leaseCounter: 7 });
  events.push({
    type: "lease-table-scanned",
    leases: [...keys, "shardId-000000000004"]
      .map((k) => row(k, "w1"))
      .concat(row("shardId-000000000005", "w2")),
    liveWorkers: ["w1", "w2"],
  });
  for (let round = 0; round < 5; round++) {
    keys.forEach((shardId, i) => {
      events.push({ type: "records-fetched", shardId, records: 100 * i, durationMs: 0.7 + round * 13 + i });
      events.push({
        type: "records-processed",
        shardId,
        count: 100 * i + round,
        bytes: 1000 * i + 17 * round,
        millisBehindLatest: 1000 * (4 - round) + i,
        durationMs: 0.3 + round * 41 + i * 7,
      });
    });
    events.push({ type: "lease-renewed", leaseKey: keys[round % 4]!, leaseCounter: 2 + round });
  }
  events.push(
    { type: "throttled", operation: "GetRecords", shardId: keys[1], retryInMs: 100 },
    { type: "throttled", operation: "renew", leaseKey: keys[2], retryInMs: 100 },
    { type: "lease-write-failed", leaseKey: keys[2]!, operation: "renew", error: "boom" },
    { type: "checkpoint-written", shardId: keys[0]!, sequenceNumber: "5", subSequenceNumber: 0, by: "auto" },
    { type: "checkpoint-failed", shardId: keys[1]!, reason: "error", error: "boom" },
    {
      type: "processor-error",
      shardId: keys[3]!,
      error: "bad record",
      attempt: 1,
      action: "retry",
      records: 3,
    },
    { type: "lease-lost", leaseKey: keys[3]!, reason: "renew-failed" },
    { type: "shard-ended", shardId: keys[2]!, childShardIds: ["shardId-000000000009"] },
  );
  return events;
}

test("the exposition of a fixed event history is unchanged, byte for byte", async () => {
  let now = 1_800_000_000_000;
  const bus = new EventBus("w1", () => now);
  const collector = new MetricsCollector({
    events: bus,
    workerId: "w1",
    app: "orders",
    stream: "orders-stream",
    table: "orders",
    failoverMs: 10_000,
    now: () => now,
  });
  for (const e of history()) {
    now += 250;
    bus.emit(e);
  }
  const text = await collector.metrics();
  // Two scrapes in a row give the same text (nothing accumulates across scrapes).
  expect(await collector.metrics()).toBe(text);
  if (process.env.KCL_UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, text);
  expect(text).toBe(readFileSync(GOLDEN, "utf8"));
  expect(parsePrometheusText(text).size).toBe(14);
  collector.close();
});
