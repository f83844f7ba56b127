// /healthz and /readyz decisions (a pure fold of events, time passed in) and the collector's per-shard
// series on event sequences that are slow to stage on the emulators (shard end, release, cleanup).
import { describe, expect, test } from "bun:test";
import { HealthState } from "../../cli/metrics/health.ts";
import { MetricsCollector } from "../../cli/metrics/collector.ts";
import { EventBus, type KclEvent, type KclEventBody } from "../../src/core/events.ts";
import { parsePrometheusText, sampleValue } from "../support/prom-text.ts";

const FAILOVER = 10_000;
const ev = (at: number, body: KclEventBody) => ({ ...body, workerId: "w", at }) as KclEvent;
const started = (at: number) => ev(at, { type: "worker-started", app: "a", stream: "s", table: "t" });
const scanned = (at: number) => ev(at, { type: "lease-table-scanned", leases: [], liveWorkers: ["w"] });
const acquired = (at: number, leaseKey = "s-0") =>
  ev(at, { type: "lease-acquired", leaseKey, leaseCounter: 1, how: "unowned" });
const renewed = (at: number, leaseKey = "s-0") =>
  ev(at, { type: "lease-renewed", leaseKey, leaseCounter: 2 });
const renewThrottled = (at: number, leaseKey = "s-0") =>
  ev(at, { type: "throttled", operation: "renew", leaseKey, retryInMs: 100 });

function running(): HealthState {
  const h = new HealthState(FAILOVER);
  h.apply(started(0));
  h.apply(ev(0, { type: "shard-sync", shards: 1, leasesCreated: [], durationMs: 1 }));
  h.apply(scanned(0));
  h.apply(acquired(0));
  return h;
}

describe("HealthState", () => {
  test("ready only after worker-started, the first shard sync and the first lease round", () => {
    const h = new HealthState(FAILOVER);
    expect(h.readiness()).toEqual({ ok: false, reason: "worker is starting" });
    h.apply(started(0));
    expect(h.readiness().reason).toBe("waiting for the first shard sync");
    h.apply(ev(1, { type: "shard-sync", shards: 1, leasesCreated: [], durationMs: 1 }));
    expect(h.readiness().reason).toBe("waiting for the first lease round");
    h.apply(scanned(2));
    expect(h.readiness()).toEqual({ ok: true, reason: "ok" });
    h.apply(ev(3, { type: "worker-stopping", reason: "SIGTERM" }));
    expect(h.readiness()).toEqual({ ok: false, reason: "worker is stopping" });
  });

  test("a throttled renewal that lands within the failover time stays healthy", () => {
    const h = running();
    h.apply(renewThrottled(3000));
    expect(h.health(9999).ok).toBe(true);
    h.apply(renewed(9000));
    h.apply(scanned(9000));
    expect(h.health(25_000).ok).toBe(true);
  });

  test("no renewal landed for the failover time: 503 with one line naming the last failure, until one lands", () => {
    const h = running();
    h.apply(renewed(1000));
    h.apply(renewThrottled(4000));
    h.apply(
      ev(5000, { type: "lease-write-failed", leaseKey: "s-0", operation: "renew", error: "ECONNRESET" }),
    );
    h.apply(scanned(10_000));
    expect(h.health(10_999).ok).toBe(true);
    const down = h.health(11_000);
    expect(down.ok).toBe(false);
    expect(down.reason).toBe(
      "lease renewals failing: none landed for 10.0 s (failover 10.0 s); last: renew of s-0 failed: ECONNRESET",
    );
    // The lease runs out here; the taker's attempts to take it back are throttled too.
    h.apply(ev(11_000, { type: "lease-lost", leaseKey: "s-0", reason: "expired-locally" }));
    h.apply(ev(12_000, { type: "throttled", operation: "takeLease", leaseKey: "s-0", retryInMs: 100 }));
    h.apply(scanned(12_000));
    expect(h.health(20_000).ok).toBe(false);
    h.apply(acquired(20_500));
    expect(h.health(20_500)).toEqual({ ok: true, reason: "ok" });
  });

  test("holding nothing and no failure for a whole lease term: the old failure is over", () => {
    const h = running();
    h.apply(renewThrottled(1000));
    h.apply(ev(10_000, { type: "lease-lost", leaseKey: "s-0", reason: "expired-locally" }));
    h.apply(scanned(15_000));
    expect(h.health(15_000).ok).toBe(false);
    h.apply(scanned(19_000));
    expect(h.health(20_000).ok).toBe(true);
  });

  test("a worker whose lease table scans stop getting through is unhealthy after twice the failover time", () => {
    const h = running();
    h.apply(renewed(5000));
    h.apply(renewed(15_000));
    expect(h.health(20_000).ok).toBe(true);
    expect(h.health(20_001)).toEqual({
      ok: false,
      reason: "no successful lease table scan for 20.0 s (limit 20.0 s)",
    });
  });

  test("a stolen or released lease is not a renewal failure", () => {
    const h = running();
    h.apply(ev(1000, { type: "lease-lost", leaseKey: "s-0", reason: "stolen", newOwner: "x" }));
    h.apply(scanned(15_000));
    expect(h.health(15_000).ok).toBe(true);
  });

  test("stopped: 503 whatever else", () => {
    const h = running();
    h.apply(ev(1, { type: "worker-stopped", clean: true }));
    expect(h.health(1)).toEqual({ ok: false, reason: "worker is stopped" });
  });
});

describe("MetricsCollector per-shard series", () => {
  async function scrapeOf(c: MetricsCollector) {
    return parsePrometheusText(await c.metrics());
  }
  const shards = (
    f: Map<string, ReturnType<typeof parsePrometheusText> extends Map<string, infer F> ? F : never>,
  ) => (f.get("kcl_records_processed_total")?.samples ?? []).map((s) => s.labels.shard).sort();

  test("exist for held leases only: gone at shard end, release and loss; lease counters by reason", async () => {
    let now = 0;
    const bus = new EventBus("w", () => now);
    const c = new MetricsCollector({
      events: bus,
      workerId: "w",
      app: "a",
      stream: "s",
      table: "t",
      failoverMs: FAILOVER,
      now: () => now,
    });
    bus.emit({ type: "worker-started", app: "a", stream: "s", table: "t" });
    for (const key of ["s-0", "s-1", "s-2"]) {
      bus.emit({
        type: "lease-acquired",
        leaseKey: key,
        leaseCounter: 1,
        how: key === "s-2" ? "expired" : "unowned",
      });
      bus.emit({
        type: "records-processed",
        shardId: key,
        count: 2,
        bytes: 10,
        millisBehindLatest: 5,
        durationMs: 3,
      });
    }
    now = 1000;
    let f = await scrapeOf(c);
    expect(shards(f)).toEqual(["s-0", "s-1", "s-2"]);
    expect(sampleValue(f, "kcl_lease_takes_total", { reason: "unowned" })).toBe(2);
    expect(sampleValue(f, "kcl_lease_takes_total", { reason: "expired" })).toBe(1);
    expect(sampleValue(f, "kcl_process_records_seconds_count")).toBe(3);
    bus.emit({ type: "shard-ended", shardId: "s-0", childShardIds: ["s-3"] });
    bus.emit({ type: "lease-released", leaseKey: "s-1", leaseCounter: 3 });
    f = await scrapeOf(c);
    expect(shards(f)).toEqual(["s-2"]);
    expect((f.get("kcl_millis_behind_latest")?.samples ?? []).map((s) => s.labels.shard)).toEqual(["s-2"]);
    // A finished lease is still held (and renewed) until cleanup deletes it.
    expect(sampleValue(f, "kcl_leases_held")).toBe(2);
    bus.emit({ type: "parent-lease-deleted", leaseKey: "s-0" });
    bus.emit({ type: "lease-lost", leaseKey: "s-2", reason: "renew-failed" });
    f = await scrapeOf(c);
    expect(shards(f)).toEqual([]);
    expect(sampleValue(f, "kcl_leases_held")).toBe(0);
    expect(sampleValue(f, "kcl_leases_lost_total")).toBe(1);
    expect(sampleValue(f, "kcl_lease_renewals_total", { result: "lost" })).toBe(1);
    c.close();
  });
});
