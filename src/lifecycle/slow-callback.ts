// Reports a processor callback that runs longer than --processor-warn-ms, once per call, with shard and
// duration. A timer reports a callback that is still running; a callback that blocked the event loop
// (the timer could not fire) is reported when it returns, with how long it really took.
import { DEFAULTS } from "../config/options.ts";
import type { ProcessorCallback } from "../core/events.ts";
import type { ConsumerRuntime } from "./runtime.ts";

export async function watchCallback<T>(
  rt: Pick<ConsumerRuntime, "o" | "shardId">,
  callback: ProcessorCallback,
  run: () => Promise<T> | T,
): Promise<T> {
  const { clock, events } = rt.o;
  const warnMs = rt.o.config.processorWarnMs ?? DEFAULTS.processorWarnMs;
  const started = clock.monotonic();
  let reported = false;
  const report = (stillRunning: boolean) => {
    if (reported) return;
    reported = true;
    const durationMs = Math.round(clock.monotonic() - started);
    events.emit({ type: "processor-slow", shardId: rt.shardId, callback, durationMs, stillRunning, warnMs });
  };
  const timer = new AbortController();
  clock.sleep(warnMs, timer.signal).then(
    () => report(true),
    () => {},
  );
  try {
    return await run();
  } finally {
    timer.abort();
    if (clock.monotonic() - started > warnMs) report(false);
  }
}
