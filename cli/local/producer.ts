// A demo producer for `kcl-ts local --produce` and `npm run demo`: puts records at a steady rate,
// JSON bodies with a per-key counter so a reader can check order per partition key.
import { type KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import type { Clock } from "../../src/core/clock.ts";
import { AbortedError } from "../../src/core/errors.ts";

export interface ProducerOptions {
  kinesis: KinesisClient;
  stream: string;
  recordsPerSecond: number;
  clock: Clock;
  /** Distinct partition keys cycled through (default 16). */
  keys?: number;
  /** Called after each successful put (for progress lines). */
  onPut?: (total: number) => void;
  /** Called when a put fails (the producer keeps going). */
  onError?: (error: unknown) => void;
}

export interface Producer {
  /** Records put so far. */
  readonly produced: number;
  stop(): Promise<void>;
}

/** Puts ten batches a second (or one per record below 10/s) until stopped. */
export function startProducer(options: ProducerOptions): Producer {
  const { kinesis, stream, clock } = options;
  const keys = options.keys ?? 16;
  const abort = new AbortController();
  const ticksPerSecond = Math.max(1, Math.min(10, options.recordsPerSecond));
  const tickMs = 1000 / ticksPerSecond;
  const encoder = new TextEncoder();
  let produced = 0;
  let owed = 0;

  const loop = async () => {
    let next = clock.monotonic();
    while (!abort.signal.aborted) {
      owed += options.recordsPerSecond / ticksPerSecond;
      const count = Math.min(500, Math.floor(owed));
      owed -= count;
      if (count > 0) {
        const records = Array.from({ length: count }, (_, i) => {
          const n = produced + i;
          const key = `key-${n % keys}`;
          const body = { n, key, seq: Math.floor(n / keys), at: new Date(clock.now()).toISOString() };
          return { PartitionKey: key, Data: encoder.encode(JSON.stringify(body)) };
        });
        try {
          const res = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records }), {
            abortSignal: abort.signal,
          });
          produced += count - (res.FailedRecordCount ?? 0);
          options.onPut?.(produced);
        } catch (error) {
          if (abort.signal.aborted) return;
          options.onError?.(error);
        }
      }
      next += tickMs;
      try {
        await clock.sleep(Math.max(0, next - clock.monotonic()), abort.signal);
      } catch (error) {
        if (error instanceof AbortedError) return;
        throw error;
      }
    }
  };
  const running = loop();
  return {
    get produced() {
      return produced;
    },
    async stop() {
      abort.abort();
      await running;
    },
  };
}
