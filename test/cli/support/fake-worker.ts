// A scriptable Worker for runConsume unit tests: records the options it was built with and lets a
// test decide how start(), stop() and done behave.
import { resolveConfig } from "../../../src/config/resolve.ts";
import { EventBus } from "../../../src/core/events.ts";
import type { StopResult, Worker, WorkerOptions } from "../../../src/coordinator/types.ts";

export interface FakeWorkerScript {
  /** Thrown by start(). */
  startError?: unknown;
  /** done rejects with this right after start (e.g. ProcessorFailedError). */
  failAfterStart?: unknown;
  /** What stop() resolves done with. */
  stopResult?: StopResult;
}

export interface FakeWorker extends Worker {
  options: WorkerOptions;
  stopReasons: string[];
}

export function fakeWorkerFactory(script: FakeWorkerScript = {}) {
  const created: FakeWorker[] = [];
  const create = (options: WorkerOptions): Worker => {
    const config = resolveConfig(options);
    const workerId = options.workerId ?? "fake";
    const events = new EventBus(workerId, () => Date.UTC(2026, 0, 1, 12));
    let settle: (r: StopResult) => void = () => {};
    let fail: (e: unknown) => void = () => {};
    const done = new Promise<StopResult>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    const stopReasons: string[] = [];
    const worker: FakeWorker = {
      workerId,
      config,
      events,
      options,
      stopReasons,
      done,
      async start() {
        if (script.startError) throw script.startError;
        events.emit({ type: "worker-started", app: config.app, stream: config.stream, table: config.table });
        if (script.failAfterStart) queueMicrotask(() => fail(script.failAfterStart));
      },
      async stop(reason = "stop") {
        stopReasons.push(reason);
        events.emit({ type: "worker-stopping", reason });
        const result = script.stopResult ?? { clean: true };
        events.emit({ type: "worker-stopped", clean: result.clean });
        settle(result);
        return result;
      },
    };
    created.push(worker);
    return worker;
  };
  return { create, created };
}
