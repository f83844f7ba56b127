// The polling record source of one shard: paces GetRecords (pollIntervalMs apart while behind, plus idleTimeMs when
// caught up) and keeps exactly one batch prefetched while the processor works on the previous one.
import { AbortedError } from "../core/errors.ts";
import { type Fetched, ShardFetcher } from "./fetcher.ts";
import { abortable } from "./position.ts";
import type { Batch, ShardReader, ShardReaderOptions } from "./types.ts";

export function createShardReader(options: ShardReaderOptions): ShardReader {
  const { clock, signal: outer } = options;
  const controller = new AbortController();
  const signal = controller.signal;
  const onOuterAbort = () => controller.abort();
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener("abort", onOuterAbort, { once: true });

  const fetcher = new ShardFetcher(options);
  /** Monotonic time before which the next GetRecords must not start. */
  let notBefore = Number.NEGATIVE_INFINITY;
  let prefetched: Promise<Batch> | undefined;
  let end: Batch | undefined;
  /** Serialises next() calls (a caller should not overlap them, but must not corrupt state if it does). */
  let queue: Promise<unknown> = Promise.resolve();

  async function fetchPaced(): Promise<Batch> {
    const wait = notBefore - clock.monotonic();
    if (wait > 0) await clock.sleep(wait, signal);
    const fetched: Fetched = await fetcher.fetch(signal);
    notBefore = fetched.behind ? clock.monotonic() : clock.monotonic() + options.idleTimeMs;
    return fetched.batch;
  }

  function startPrefetch(): void {
    prefetched = fetchPaced();
    // Its failure surfaces from the next next() call; never as an unhandled rejection.
    prefetched.catch(() => {});
  }

  async function take(): Promise<Batch> {
    if (signal.aborted) throw new AbortedError("shard reader closed", { shardId: options.shardId });
    if (end) return { ...end, records: [] };
    const current = prefetched ?? fetchPaced();
    prefetched = undefined;
    const batch = await current;
    if (batch.isAtShardEnd) end = batch;
    else if (!signal.aborted) startPrefetch();
    return batch;
  }

  return {
    next() {
      const result = queue.then(take);
      queue = result.catch(() => {});
      return abortable(result, signal);
    },
    close() {
      outer?.removeEventListener("abort", onOuterAbort);
      controller.abort();
    },
  };
}
