// The enhanced fan-out record source of one shard: a SubscribeToShard started after the checkpoint,
// renewed from the last ContinuationSequenceNumber when it ends (every 5 minutes) or breaks, with at
// most one event waiting while the processor works, and the final event's ChildShards at shard end.
import type { BackoffPolicy } from "../core/backoff.ts";
import { backoffDelay } from "../core/backoff.ts";
import { AbortedError, DependencyError, describeError, KclError, ThrottledError } from "../core/errors.ts";
import type { FanOutPort, ShardEvent, ShardSubscription } from "../kinesis/fan-out-port.ts";
import { deaggregateAll } from "../kinesis/kpl.ts";
import type { StartingPosition } from "../kinesis/port.ts";
import type { ExtendedSequenceNumber } from "../leases/lease.ts";
import { LATEST_RESTART_SKEW_MS } from "./fetcher.ts";
import { applyHashRange } from "./hash-range.ts";
import { abortable, recordsAfter, startingPosition } from "./position.ts";
import { type FanOutHealth, isHttp2Failure } from "./fan-out-health.ts";
import type { ShardEndProbe } from "./shard-end-probe.ts";
import type { Batch, ShardReader, ShardReaderOptions } from "./types.ts";

/** ResourceInUse (the previous owner's subscription is still open), LimitExceeded, throttling, breaks. */
export const SUBSCRIBE_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000, jitter: "equal" };

export interface FanOutReaderOptions
  extends Omit<ShardReaderOptions, "kinesis" | "maxRecords" | "idleTimeMs" | "pollIntervalMs"> {
  fanOut: FanOutPort;
  consumerArn: string;
  /** Shared by the worker's readers: decides the fall back to polling when HTTP/2 cannot work. */
  health?: FanOutHealth;
  /** The polling reader to fall back to, opened at the given start. */
  fallback?: (start: ExtendedSequenceNumber) => ShardReader;
  /**
   * For emulators that never send the final event (kinesis-mock keeps a closed shard's subscription
   * alive with empty events): when caught up, at most this often, ask whether the shard is closed and
   * fully read (shard-end-probe.ts). Absent: rely on the final event alone, as on AWS.
   */
  shardEndProbe?: ShardEndProbe;
}

export function createFanOutReader(o: FanOutReaderOptions): ShardReader {
  const { clock, shardId } = o;
  const controller = new AbortController();
  const signal = controller.signal;
  const onOuterAbort = () => controller.abort();
  if (o.signal?.aborted) controller.abort();
  else o.signal?.addEventListener("abort", onOuterAbort, { once: true });

  let resume: StartingPosition | undefined = startingPosition(o.start, o.timestamp, shardId);
  let cursor: ExtendedSequenceNumber = o.start;
  let subscription: ShardSubscription | undefined;
  let failures = 0;
  let end: Batch | undefined;
  let prefetched: Promise<Batch> | undefined;
  let fallback: ShardReader | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  // Lease loss or shutdown cancels the HTTP/2 stream at once, not at the next event.
  signal.addEventListener("abort", () => subscription?.close(), { once: true });

  async function open(position: StartingPosition): Promise<ShardSubscription> {
    const requestedAt = clock.now();
    const sub = await o.fanOut.subscribe(o.consumerArn, shardId, position, signal);
    // Until an event pins the position, a break must not restart at a later LATEST (records put
    // in between would be skipped): restart at the time of this request instead.
    if (position.type === "LATEST") {
      resume = { type: "AT_TIMESTAMP", timestamp: new Date(requestedAt - LATEST_RESTART_SKEW_MS) };
    }
    return sub;
  }

  function toBatch(event: ShardEvent): Batch {
    if (event.continuationSequenceNumber) {
      resume = { type: "AT_SEQUENCE_NUMBER", sequenceNumber: event.continuationSequenceNumber };
    }
    let records = recordsAfter(deaggregateAll(event.records), cursor);
    const newest = records[records.length - 1];
    if (newest)
      cursor = { sequenceNumber: newest.sequenceNumber, subSequenceNumber: newest.subSequenceNumber };
    records = applyHashRange(records, o);
    const batch: Batch = { records, isAtShardEnd: !event.continuationSequenceNumber };
    if (event.millisBehindLatest !== undefined) batch.millisBehindLatest = event.millisBehindLatest;
    if (batch.isAtShardEnd) {
      resume = undefined;
      if (event.childShards?.length) batch.childShards = event.childShards;
    }
    return batch;
  }

  async function pull(): Promise<Batch> {
    for (;;) {
      if (!resume) return { records: [], isAtShardEnd: true };
      if (signal.aborted) throw new AbortedError("shard reader closed", { shardId });
      if (fallback) return fallback.next();
      try {
        subscription ??= await open(resume);
        const event = await subscription.next();
        if (!event) {
          subscription = undefined; // ended normally (the 5-minute limit): continue where it stopped
          continue;
        }
        failures = 0;
        if (o.health) o.health.received = true;
        const batch = toBatch(event);
        if (
          !batch.isAtShardEnd &&
          batch.records.length === 0 &&
          batch.millisBehindLatest === 0 &&
          o.shardEndProbe
        ) {
          const ended = await o.shardEndProbe.check(cursor, signal);
          if (ended) {
            resume = undefined;
            return ended;
          }
        }
        return batch;
      } catch (e) {
        subscription?.close();
        subscription = undefined;
        if (signal.aborted) throw new AbortedError("shard reader closed", { shardId });
        await recover(e);
      }
    }
  }

  async function recover(e: unknown): Promise<void> {
    if (e instanceof KclError && !e.retriable && !(e instanceof ThrottledError)) throw e;
    if (o.health && o.fallback && isHttp2Failure(e) && o.health.unsupported(e, shardId)) {
      fallback = o.fallback(cursor);
      return;
    }
    const retryInMs = backoffDelay(SUBSCRIBE_BACKOFF, ++failures, o.random);
    if (e instanceof ThrottledError) {
      o.events.emit({ type: "throttled", operation: "SubscribeToShard", shardId, retryInMs });
    } else {
      const why = e instanceof DependencyError ? describeError(e) : String((e as Error)?.message ?? e);
      o.events.emit({
        type: "warning",
        shardId,
        message: `SubscribeToShard on ${shardId} broke (${why}); resubscribing in ${retryInMs} ms.`,
      });
    }
    await clock.sleep(retryInMs, signal);
  }

  async function take(): Promise<Batch> {
    if (signal.aborted) throw new AbortedError("shard reader closed", { shardId });
    if (end) return { ...end, records: [] };
    const current = prefetched ?? pull();
    prefetched = undefined;
    const batch = await current;
    if (batch.isAtShardEnd) {
      end = batch;
      subscription?.close();
    } else if (!signal.aborted) {
      // One event waiting at most: read the next while the processor works on this one.
      prefetched = pull();
      prefetched.catch(() => {});
    }
    return batch;
  }

  return {
    next() {
      const result = queue.then(take);
      queue = result.catch(() => {});
      return abortable(result, signal);
    },
    close() {
      o.signal?.removeEventListener("abort", onOuterAbort);
      controller.abort();
      fallback?.close();
    },
  };
}
