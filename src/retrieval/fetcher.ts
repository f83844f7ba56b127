// One shard's GetRecords cursor: iterator management, de-aggregation, filtering behind the cursor,
// and recovery (throttling backoff, expired iterators, transient network faults, vanished shards).
import { backoffDelay, KINESIS_THROTTLE_BACKOFF } from "../core/backoff.ts";
import {
  AbortedError,
  DependencyError,
  describeError,
  ExpiredIteratorError,
  ThrottledError,
} from "../core/errors.ts";
import { deaggregateAll } from "../kinesis/kpl.ts";
import type { GetRecordsResult, StartingPosition } from "../kinesis/port.ts";
import type { ExtendedSequenceNumber } from "../leases/lease.ts";
import { applyHashRange } from "./hash-range.ts";
import { abortable, recordsAfter, startingPosition } from "./position.ts";
import type { Batch, ShardReaderOptions } from "./types.ts";

export interface Fetched {
  batch: Batch;
  /** A full batch or millisBehindLatest > 0: fetch again without the idle pause. */
  behind: boolean;
}

/**
 * A LATEST iterator that expires before any record was fetched is replaced by AT_TIMESTAMP of the
 * moment it was requested, minus this allowance for clock skew against Kinesis: a few records from
 * just before the start may be delivered, none after it can be skipped.
 */
export const LATEST_RESTART_SKEW_MS = 1000;

/**
 * kinesalite never answers AT_TIMESTAMP when no record is at or after the timestamp (Kinesis does).
 * After this long, that restart falls back to LATEST, which is what the Java KCL always does there.
 */
export const LATEST_RESTART_TIMEOUT_MS = 5000;

export class ShardFetcher {
  private iterator: string | undefined;
  /** Where a new iterator starts: the start position until records arrive, then AFTER the last one. */
  private resume: StartingPosition | undefined;
  /** Records at or before this are dropped (checkpoint, then the last record fetched). */
  private cursor: ExtendedSequenceNumber;
  private failures = 0;
  private expiries = 0;
  /** `resume` is the AT_TIMESTAMP stand-in for a LATEST iterator (nothing fetched yet). */
  private latestRestart = false;
  /** Monotonic end of the previous GetRecords: the next one waits until pollIntervalMs after it. */
  private lastGetRecordsEnd = Number.NEGATIVE_INFINITY;

  /** The shard as events name it (its lease key). */
  private readonly named: string;

  constructor(private readonly o: ShardReaderOptions) {
    this.named = o.leaseKey ?? o.shardId;
    this.resume = startingPosition(o.start, o.timestamp, o.shardId);
    this.cursor = o.start;
  }

  async fetch(signal: AbortSignal): Promise<Fetched> {
    if (!this.resume) return { batch: { records: [], isAtShardEnd: true }, behind: false };
    for (;;) {
      if (signal.aborted) throw new AbortedError("shard reader closed", { shardId: this.o.shardId });
      try {
        if (!this.iterator) this.iterator = await this.openIterator(this.resume, signal);
        await this.pace(signal);
        const ref = { stream: this.o.stream, shardId: this.o.shardId };
        const sentAt = this.o.clock.monotonic();
        let result: GetRecordsResult;
        try {
          result = await abortable(this.o.kinesis.getRecords(this.iterator, this.o.maxRecords, ref), signal);
        } finally {
          this.lastGetRecordsEnd = this.o.clock.monotonic();
        }
        this.fetched(result, this.o.clock.monotonic() - sentAt);
        this.failures = 0;
        this.expiries = 0;
        return this.accept(result);
      } catch (e) {
        let failure = e;
        try {
          if (await this.shardVanished(e))
            return { batch: { records: [], isAtShardEnd: true }, behind: false };
        } catch (listing) {
          failure = listing; // e.g. ListShards throttled: recover from that instead
        }
        await this.recover(failure, signal);
      }
    }
  }

  /**
   * Every GetRecords on this shard (retries included) starts at least pollIntervalMs after the
   * previous one answered (as the Java KCL measures it): then the calls also arrive at Kinesis at
   * least that far apart, whatever the network jitter. The 5 reads/s per shard are shared by every
   * application on the stream.
   */
  private async pace(signal: AbortSignal): Promise<void> {
    const wait = this.lastGetRecordsEnd + (this.o.pollIntervalMs ?? 0) - this.o.clock.monotonic();
    if (wait > 0) await this.o.clock.sleep(wait, signal);
  }

  private async openIterator(position: StartingPosition, signal: AbortSignal): Promise<string> {
    const requestedAt = this.o.clock.now();
    const request = this.o.kinesis.getShardIterator(this.o.stream, this.o.shardId, position);
    const iterator = await (this.latestRestart ? this.bounded(request, signal) : abortable(request, signal));
    if (iterator === undefined) {
      this.o.events.emit({
        type: "warning",
        shardId: this.named,
        message: `AT_TIMESTAMP restart of ${this.o.shardId} got no answer; restarting at LATEST instead.`,
      });
      return this.openIterator({ type: "LATEST" }, signal);
    }
    if (position.type === "LATEST") {
      this.latestRestart = true;
      this.resume = { type: "AT_TIMESTAMP", timestamp: new Date(requestedAt - LATEST_RESTART_SKEW_MS) };
    }
    return iterator;
  }

  /** `request`, or undefined when it has not answered within LATEST_RESTART_TIMEOUT_MS. */
  private async bounded(request: Promise<string>, signal: AbortSignal): Promise<string | undefined> {
    const timer = new AbortController();
    const stopTimer = () => timer.abort();
    signal.addEventListener("abort", stopTimer, { once: true });
    const timeout = this.o.clock.sleep(LATEST_RESTART_TIMEOUT_MS, timer.signal).then(
      () => undefined,
      () => undefined,
    );
    try {
      const winner = await abortable(Promise.race([request, timeout]), signal);
      if (winner === undefined) request.catch(() => {});
      return winner;
    } finally {
      signal.removeEventListener("abort", stopTimer);
      timer.abort();
    }
  }

  private fetched(result: GetRecordsResult, durationMs: number): void {
    this.o.events.emit({
      type: "records-fetched",
      shardId: this.named,
      records: result.records.length,
      durationMs,
      ...(result.millisBehindLatest !== undefined ? { millisBehindLatest: result.millisBehindLatest } : {}),
    });
  }

  private accept(result: GetRecordsResult): Fetched {
    const raw = result.records;
    const last = raw[raw.length - 1];
    if (last) {
      this.resume = { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: last.sequenceNumber };
      this.latestRestart = false;
    }
    let records = recordsAfter(deaggregateAll(raw), this.cursor);
    const newest = records[records.length - 1];
    if (newest)
      this.cursor = { sequenceNumber: newest.sequenceNumber, subSequenceNumber: newest.subSequenceNumber };
    records = applyHashRange(records, this.o);
    this.iterator = result.nextShardIterator;
    const batch: Batch = { records, isAtShardEnd: result.nextShardIterator === undefined };
    if (result.millisBehindLatest !== undefined) batch.millisBehindLatest = result.millisBehindLatest;
    if (batch.isAtShardEnd) {
      this.resume = undefined;
      if (result.childShards?.length) batch.childShards = result.childShards;
    }
    const behind = raw.length >= this.o.maxRecords || (result.millisBehindLatest ?? 0) > 0;
    return { batch, behind: behind && !batch.isAtShardEnd };
  }

  /** A shard deleted or trimmed out of retention ends like a closed shard (Java does the same). */
  private async shardVanished(e: unknown): Promise<boolean> {
    if (!(e instanceof DependencyError) || e.code !== "KCL_DEPENDENCY_MISSING" || !e.context.shardId)
      return false;
    // Throws DependencyError itself when the whole stream is gone: that must stop the worker.
    const shards = await this.o.kinesis.listShards(this.o.stream);
    if (shards.some((s) => s.shardId === this.o.shardId)) return false;
    this.o.events.emit({
      type: "warning",
      shardId: this.named,
      message: `Shard ${this.o.shardId} no longer exists in stream ${this.o.stream}; treating it as ended.`,
    });
    this.iterator = undefined;
    this.resume = undefined;
    return true;
  }

  private async recover(e: unknown, signal: AbortSignal): Promise<void> {
    const shardId = this.named;
    if (e instanceof ExpiredIteratorError) {
      this.o.events.emit({ type: "iterator-expired", shardId });
      this.iterator = undefined;
      // A fresh iterator expiring again means something else is wrong: do not spin.
      this.expiries += 1;
      if (this.expiries > 1) await this.o.clock.sleep(this.delay(this.expiries - 1), signal);
      return;
    }
    if (e instanceof ThrottledError) {
      const retryInMs = this.delay(++this.failures);
      const operation = e.context.operation ?? "GetRecords";
      this.o.events.emit({ type: "throttled", operation, shardId, retryInMs });
      await this.o.clock.sleep(retryInMs, signal);
      return;
    }
    if (e instanceof DependencyError && e.retriable) {
      const retryInMs = this.delay(++this.failures);
      this.o.events.emit({
        type: "warning",
        shardId,
        message: `${describeError(e)} (retry in ${retryInMs} ms)`,
      });
      await this.o.clock.sleep(retryInMs, signal);
      return;
    }
    throw e;
  }

  private delay(attempt: number): number {
    return backoffDelay(KINESIS_THROTTLE_BACKOFF, attempt, this.o.random);
  }
}
