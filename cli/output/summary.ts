// Folds per-batch records-processed events into one periodic summary (records/s, bytes, lag per
// shard), so --output lines|json print a few lines per interval however busy the shards are.
import type { EventOf } from "../../src/core/events.ts";

export interface ShardSummary {
  records: number;
  bytes: number;
  /** Latest MillisBehindLatest seen in the window. */
  millisBehindLatest?: number;
}

export interface SummaryWindow {
  intervalMs: number;
  records: number;
  bytes: number;
  recordsPerSecond: number;
  /** Highest latest-lag across shards (undefined when no shard reported lag). */
  maxMillisBehindLatest?: number;
  /** Auto checkpoints written in the window (printed as a count, not one line each). */
  autoCheckpoints: number;
  shards: Record<string, ShardSummary>;
}

export class RecordsSummary {
  private shards = new Map<string, ShardSummary>();
  private autoCheckpoints = 0;

  constructor(private windowStart: number) {}

  addRecords(event: EventOf<"records-processed">): void {
    const shard = this.shards.get(event.shardId) ?? { records: 0, bytes: 0 };
    shard.records += event.count;
    shard.bytes += event.bytes;
    if (event.millisBehindLatest !== undefined) shard.millisBehindLatest = event.millisBehindLatest;
    this.shards.set(event.shardId, shard);
  }

  addAutoCheckpoint(): void {
    this.autoCheckpoints += 1;
  }

  /** Closes the window at `now` (monotonic ms); undefined when nothing happened in it. */
  take(now: number): SummaryWindow | undefined {
    const intervalMs = Math.max(1, now - this.windowStart);
    this.windowStart = now;
    if (this.shards.size === 0 && this.autoCheckpoints === 0) return undefined;
    let records = 0;
    let bytes = 0;
    let maxLag: number | undefined;
    const shards: Record<string, ShardSummary> = {};
    for (const [id, s] of [...this.shards].sort(([a], [b]) => a.localeCompare(b))) {
      records += s.records;
      bytes += s.bytes;
      if (s.millisBehindLatest !== undefined) maxLag = Math.max(maxLag ?? 0, s.millisBehindLatest);
      shards[id] = s;
    }
    // Idle shards (empty polls, no lag) are not news: print only windows with records, lag or checkpoints.
    if (records === 0 && !maxLag && this.autoCheckpoints === 0) {
      this.shards = new Map();
      return undefined;
    }
    for (const [id, s] of Object.entries(shards))
      if (s.records === 0 && !s.millisBehindLatest) delete shards[id];
    const window: SummaryWindow = {
      intervalMs,
      records,
      bytes,
      recordsPerSecond: Math.round((records * 10_000) / intervalMs) / 10,
      maxMillisBehindLatest: maxLag,
      autoCheckpoints: this.autoCheckpoints,
      shards,
    };
    this.shards = new Map();
    this.autoCheckpoints = 0;
    return window;
  }
}
