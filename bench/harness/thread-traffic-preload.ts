// Bench only (`bun --preload`, BENCH_THREAD_TRAFFIC=<dir>): counts the messages between the main thread and
// the lease thread per kind and direction, with their JSON size as an estimate of what structured clone
// copies, and writes the totals to <dir>/<pid>.json every second. Counting costs CPU (a JSON.stringify per
// message): runs with it are for message counts, never for CPU or RSS results.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMainThread, Worker } from "node:worker_threads";

type Totals = Record<string, { messages: number; bytes: number }>;
const dir = process.env.BENCH_THREAD_TRAFFIC;
if (dir && isMainThread) {
  const totals: Totals = {};
  const count = (direction: string, message: unknown) => {
    const kind = `${direction} ${(message as { type?: string })?.type ?? "?"}`;
    const t = totals[kind] ?? { messages: 0, bytes: 0 };
    totals[kind] = t;
    t.messages += 1;
    t.bytes += JSON.stringify(message)?.length ?? 0;
  };
  const proto = Worker.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const post = proto.postMessage!;
  proto.postMessage = function (this: unknown, message: unknown, ...rest: unknown[]) {
    count("to-thread", message);
    return post.call(this, message, ...rest);
  };
  const on = proto.on!;
  proto.on = function (this: unknown, event: unknown, listener: unknown) {
    if (event !== "message" || typeof listener !== "function") return on.call(this, event, listener);
    return on.call(this, event, (message: unknown) => {
      count("from-thread", message);
      (listener as (m: unknown) => void)(message);
    });
  };
  const file = join(dir, `${process.pid}.json`);
  setInterval(() => writeFileSync(file, JSON.stringify({ at: Date.now(), totals })), 1000).unref();
}
