// The §10 metrics in a prom-client registry, fed by the engine's events through the status fold (the
// dashboard's one source): gauges and counters are read from a fold snapshot at scrape time, the two
// latency histograms are observed per event. Per-shard series exist only for leases held now.
import { FastHistogram } from "./histogram.ts";
import { Registry } from "./prom.ts";
import { type Sample, SnapshotMetric } from "./snapshot-metric.ts";
import type { EventBus, KclEvent } from "../../src/core/events.ts";
import { StatusFold, type WorkerStatus } from "../../src/status/index.ts";
import { HealthState, type Verdict } from "./health.ts";

export interface CollectorOptions {
  events: EventBus;
  workerId: string;
  app: string;
  stream: string;
  table: string;
  failoverMs: number;
  /** Wall-clock ms, as the events' `at`. */
  now: () => number;
}

/** Buckets in seconds: 1 ms to 10 s, enough resolution around the 10-200 ms a batch usually takes. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class MetricsCollector {
  readonly registry = new Registry();
  private readonly fold: StatusFold;
  private readonly health: HealthState;
  private readonly processSeconds: FastHistogram;
  private readonly getRecordsSeconds: FastHistogram;
  private readonly unsubscribe: () => void;
  /** The snapshot the current scrape reads (taken once per scrape, before the first collect). */
  private scrape: WorkerStatus | undefined;

  constructor(private readonly o: CollectorOptions) {
    this.fold = new StatusFold({
      workerId: o.workerId,
      app: o.app,
      stream: o.stream,
      failoverMs: o.failoverMs,
    });
    this.health = new HealthState(o.failoverMs);
    const registers = [this.registry];
    this.processSeconds = new FastHistogram({
      name: "kcl_process_records_seconds",
      help: "Time processRecords took per batch (seconds).",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.getRecordsSeconds = new FastHistogram({
      name: "kcl_get_records_seconds",
      help: "Latency of successful GetRecords calls (seconds).",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.defineFromSnapshot();
    this.unsubscribe = o.events.onAny((e) => this.apply(e));
  }

  /** Every event: O(1) (the fold's hot paths plus at most one histogram observation). */
  apply(e: KclEvent): void {
    if (e.type === "records-fetched") {
      this.getRecordsSeconds.observe(e.durationMs / 1000);
      return;
    }
    if (e.type === "records-processed" && e.count > 0) this.processSeconds.observe(e.durationMs / 1000);
    this.fold.apply(e);
    this.health.apply(e);
  }

  /** The exposition text: one fold snapshot feeds every gauge and counter of this scrape. */
  async metrics(): Promise<string> {
    this.scrape = this.fold.snapshot(this.o.now());
    try {
      return await this.registry.metrics();
    } finally {
      this.scrape = undefined;
    }
  }

  healthz(): Verdict {
    return this.health.health(this.o.now());
  }

  readyz(): Verdict {
    return this.health.readiness();
  }

  /** The same snapshot the dashboard would show now (tests compare it with a scrape). */
  status(): WorkerStatus {
    return this.fold.snapshot(this.o.now());
  }

  close(): void {
    this.unsubscribe();
  }

  private snap(): WorkerStatus {
    return this.scrape ?? this.fold.snapshot(this.o.now());
  }

  private defineFromSnapshot(): void {
    const registers = [this.registry];
    const { workerId, app, stream, table } = this.o;
    const snap = () => this.snap();
    /** Held leases whose shard has not ended: the only shards with per-shard series. */
    const shards = () => snap().leases.filter((l) => !l.ended);
    const metric = (name: string, help: string, type: "gauge" | "counter", read: () => Sample[]) =>
      new SnapshotMetric(name, help, type, read, registers);
    const one = (value: number): Sample[] => [{ labels: {}, value }];
    const byLabel = (label: string, values: Record<string, number>): Sample[] =>
      Object.entries(values).map(([key, value]) => ({ labels: { [label]: key }, value }));
    metric(
      "kcl_worker_info",
      "Always 1; labels name this worker, its application, stream and lease table.",
      "gauge",
      () => [{ labels: { worker: workerId, app, stream, table }, value: 1 }],
    );
    metric(
      "kcl_millis_behind_latest",
      "MillisBehindLatest of the last GetRecords, per shard held now.",
      "gauge",
      () =>
        shards().flatMap((l) =>
          l.lagMs === undefined ? [] : [{ labels: { shard: l.leaseKey }, value: l.lagMs }],
        ),
    );
    metric(
      "kcl_records_processed_total",
      "Records delivered to processRecords since this worker took the shard's lease.",
      "counter",
      () => shards().map((l) => ({ labels: { shard: l.leaseKey }, value: l.recordsTotal })),
    );
    metric(
      "kcl_bytes_processed_total",
      "Record data bytes delivered to processRecords since this worker took the shard's lease.",
      "counter",
      () => shards().map((l) => ({ labels: { shard: l.leaseKey }, value: l.bytesTotal })),
    );
    metric("kcl_leases_held", "Leases this worker holds now.", "gauge", () => one(snap().header.leasesHeld));
    metric(
      "kcl_workers",
      "Live workers in the fleet, as of this worker's last lease table scan.",
      "gauge",
      () => one(snap().header.liveWorkers),
    );
    const counters = () => snap().counters;
    metric(
      "kcl_lease_renewals_total",
      "Lease renewal attempts by result: success, throttled, failed (other fault, retried), lost.",
      "counter",
      () => byLabel("result", counters().renewals),
    );
    metric(
      "kcl_lease_takes_total",
      "Leases this worker took, by reason: unowned, expired, released, stolen.",
      "counter",
      () => byLabel("reason", counters().leaseTakes),
    );
    metric(
      "kcl_leases_lost_total",
      "Leases this worker lost without a handover (expired, fenced, deleted, handoff timed out).",
      "counter",
      () => one(counters().leasesLost),
    );
    metric("kcl_checkpoints_total", "Checkpoint writes by result: success, failed.", "counter", () =>
      byLabel("result", counters().checkpoints),
    );
    metric("kcl_throttles_total", "Throttled AWS calls, by service: kinesis, dynamodb.", "counter", () =>
      byLabel("service", counters().throttles),
    );
    metric(
      "kcl_processor_errors_total",
      "Failures thrown by the record processor (processRecords, shardEnded, ...), one per failed attempt.",
      "counter",
      () => one(counters().processorErrors),
    );
  }
}
