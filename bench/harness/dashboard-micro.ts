// In-process measurements behind the dashboard's cost claims, moved here from `bun test` (issue 12):
// how fast the status fold absorbs records-processed events, and how many frames the dashboard draws
// while a flood of them arrives (throttled to one per FRAME_MS, never one per event).
import { PassThrough, Writable } from "node:stream";
import { FRAME_MS, startDashboard } from "../../cli/dashboard/index.ts";
import { EventBus } from "../../src/core/events.ts";
import { StatusFold } from "../../src/status/index.ts";
import { sleep } from "./time.ts";

const ME = "bench-worker";
const shard = (n: number) => `shardId-${String(n).padStart(12, "0")}`;

export interface DashboardMicro {
  /** records-processed events folded per second (200,000 events on 4 leases). */
  foldEventsPerSecond: number;
  /** Frames drawn per second during the flood (FRAME_MS allows 1000 / FRAME_MS). */
  floodFramesPerSecond: number;
  /** Events emitted per frame drawn during the flood (one per event would be 1). */
  floodEventsPerFrame: number;
  floodEvents: number;
  floodMs: number;
}

/** Folds `count` records-processed events into a fresh StatusFold; returns events per second. */
export function measureFold(count = 200_000): number {
  const t0 = Date.UTC(2026, 0, 1);
  const fold = new StatusFold({ workerId: ME, app: "bench", stream: "bench", failoverMs: 10_000 });
  fold.apply({ type: "worker-started", app: "bench", stream: "bench", table: "bench", workerId: ME, at: t0 });
  for (let n = 0; n < 4; n++) {
    fold.apply({
      type: "lease-acquired",
      leaseKey: shard(n),
      leaseCounter: 1,
      how: "unowned",
      workerId: ME,
      at: t0,
    });
  }
  const event = {
    type: "records-processed" as const,
    shardId: "",
    count: 10,
    bytes: 100,
    millisBehindLatest: 0,
    durationMs: 1,
    workerId: ME,
    at: t0,
  };
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    event.shardId = shard(i & 3);
    event.at = t0 + i / 100;
    event.millisBehindLatest = i;
    fold.apply(event);
  }
  const elapsed = performance.now() - started;
  if (fold.snapshot(t0 + 2000).header.recordsTotal !== count * 10) throw new Error("fold lost events");
  return Math.round((count * 1000) / Math.max(elapsed, 0.001));
}

class TerminalSink extends Writable {
  frames = 0;
  readonly isTTY = true;
  columns = 120;
  rows = 40;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    if (chunk.toString().includes("rec/s")) this.frames++;
    done();
  }
}

/** Floods a dashboard on a fake terminal with records-processed events for `ms`; counts frames. */
export async function measureFlood(ms = 3000): Promise<Omit<DashboardMicro, "foldEventsPerSecond">> {
  const stdout = new TerminalSink();
  const bus = new EventBus(ME, () => Date.now());
  const dashboard = startDashboard({
    events: bus,
    workerId: ME,
    app: "bench",
    stream: "bench",
    region: "us-east-1",
    failoverMs: 10_000,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: new PassThrough() as unknown as NodeJS.ReadStream, // not a terminal: no key input
    requestStop: () => undefined,
    interrupt: () => undefined,
  });
  bus.emit({ type: "worker-started", app: "bench", stream: "bench", table: "bench" });
  for (let n = 0; n < 4; n++)
    bus.emit({ type: "lease-acquired", leaseKey: shard(n), leaseCounter: 1, how: "unowned" });
  await sleep(FRAME_MS * 2);
  const before = stdout.frames;
  const started = performance.now();
  let events = 0;
  while (performance.now() - started < ms) {
    for (let i = 0; i < 2000; i++, events++) {
      bus.emit({
        type: "records-processed",
        shardId: shard(i & 3),
        count: 1,
        bytes: 10,
        millisBehindLatest: i,
        durationMs: 0,
      });
    }
    await sleep(1); // let the frame timer run, as the engine's awaits do
  }
  const floodMs = performance.now() - started;
  const frames = stdout.frames - before;
  await dashboard.stop();
  return {
    floodFramesPerSecond: Math.round((frames * 10_000) / floodMs) / 10,
    floodEventsPerFrame: Math.round(events / Math.max(frames, 1)),
    floodEvents: events,
    floodMs: Math.round(floodMs),
  };
}

export async function measureDashboardMicro(): Promise<DashboardMicro> {
  return { foldEventsPerSecond: measureFold(), ...(await measureFlood()) };
}

/** The frame budget the dashboard promises (README: at most 5 frames a second). */
export const MAX_FRAMES_PER_SECOND = 1000 / FRAME_MS;
