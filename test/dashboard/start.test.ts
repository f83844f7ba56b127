// startDashboard end to end on fake streams: throttled frames under an event flood, q, non-TTY, CI.
import { describe, expect, test } from "bun:test";
import { PassThrough, Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { FRAME_MS, startDashboard } from "../../cli/dashboard/index.ts";
import { IDLE_REFRESH_MS, StatusStore } from "../../cli/dashboard/store.ts";
import { EventBus } from "../../src/core/events.ts";
import { StatusFold } from "../../src/status/index.ts";
import { FOLD_OPTIONS, ME, shard } from "../status/events.ts";

class FakeOut extends Writable {
  chunks: string[] = [];
  columns = 100;
  rows = 40;
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  text(): string {
    return stripVTControlCharacters(this.chunks.join(""));
  }
}

class FakeIn extends PassThrough {
  rawMode: boolean[] = [];
  constructor(readonly isTTY: boolean) {
    super();
  }
  setRawMode(on: boolean): this {
    this.rawMode.push(on);
    return this;
  }
}

function setup(tty: boolean) {
  const stdout = new FakeOut(tty);
  const stdin = new FakeIn(tty);
  const bus = new EventBus(ME, () => Date.now());
  let stops = 0;
  const dashboard = startDashboard({
    events: bus,
    workerId: ME,
    app: "demo-dash",
    stream: "demo",
    region: "us-east-1",
    failoverMs: 10_000,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    requestStop: () => {
      stops += 1;
    },
    interrupt: () => undefined,
  });
  return { stdout, stdin, bus, dashboard, stops: () => stops };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Liveness only: polls `done` every frame for up to 20 s. */
async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await sleep(FRAME_MS);
  if (!done()) throw new Error("the dashboard never drew the expected frame");
}

describe("startDashboard", () => {
  test("an event flood is rendered on the frame timer: at most one frame per FRAME_MS", async () => {
    const { stdout, bus, dashboard } = setup(true);
    bus.emit({ type: "worker-started", app: "demo-dash", stream: "demo", table: "demo-dash" });
    for (const n of [0, 1, 2, 3])
      bus.emit({ type: "lease-acquired", leaseKey: shard(n), leaseCounter: 1, how: "unowned" });
    const frames = () => stdout.chunks.filter((c) => c.includes("rec/s")).length;
    const framesBefore = frames();
    // A fixed amount of work, however long it takes: the frame bound below follows the time it took,
    // so a slow machine cannot fail it. The frame rate itself is measured by `npm run bench dashboard`.
    const started = performance.now();
    let events = 0;
    for (let batch = 0; batch < 40; batch++) {
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
    const elapsed = performance.now() - started;
    const during = frames() - framesBefore;
    // The timer keeps drawing after the flood (frames come from the timer, not from events).
    await waitFor(() => frames() > framesBefore + during);
    await dashboard.stop();
    // Throttled by the frame timer, never one frame per event.
    expect(during).toBeLessThanOrEqual(Math.ceil(elapsed / FRAME_MS) + 2);
    expect(during).toBeLessThan(events / 1000);
    expect(stdout.text()).toContain(`leases 4/4`);
  });

  test("q on a terminal requests a stop once; stop() leaves raw mode and shows the final state", async () => {
    const { stdout, stdin, bus, dashboard, stops } = setup(true);
    bus.emit({ type: "worker-started", app: "demo-dash", stream: "demo", table: "demo-dash" });
    // Keys are read once the input hook has put the terminal in raw mode: wait for that, not a sleep.
    await waitFor(() => stdin.rawMode.includes(true));
    stdin.write("q");
    await waitFor(() => stops() === 1);
    stdin.write("q");
    await sleep(FRAME_MS);
    expect(stops()).toBe(1);
    bus.emit({ type: "worker-stopping", reason: "requested" });
    bus.emit({ type: "worker-stopped", clean: true });
    await dashboard.stop();
    await dashboard.stop(); // idempotent
    expect(stdin.rawMode.at(-1)).toBe(false);
    expect(stdout.text()).toContain("worker stopped");
  });

  test("lines other code prints appear above the frame, batched per frame; stop() gives stdout back", async () => {
    const { stdout, bus, dashboard } = setup(true);
    bus.emit({ type: "worker-started", app: "demo-dash", stream: "demo", table: "demo-dash" });
    await waitFor(() => stdout.text().includes("kcl-ts demo-dash")); // the first frame is up
    for (let i = 0; i < 100; i++) stdout.write(`plugin line ${i}\n`);
    stdout.write(new TextEncoder().encode("bytes line\n"));
    stdout.write("partial ");
    await waitFor(() => stdout.chunks.some((c) => c.includes("plugin line")));
    await sleep(FRAME_MS * 2); // later frames must not print them again
    const printed = stdout.chunks.filter((c) => c.includes("plugin line"));
    expect(printed).toHaveLength(1); // one redraw for 100 lines
    expect(printed[0]).toContain("plugin line 0\nplugin line 1\n");
    expect(printed[0]).toContain("plugin line 99\nbytes line\n");
    expect(stdout.text().lastIndexOf("kcl-ts demo-dash")).toBeGreaterThan(
      stdout.text().indexOf("plugin line 99"),
    );
    await dashboard.stop();
    expect(stdout.text()).toContain("partial ");
    stdout.write("after\n");
    expect(stdout.chunks.at(-1)).toBe("after\n");
  });

  test("stdin and stdout not terminals, CI set: no crash, no raw mode, the final frame is printed", async () => {
    const saved = process.env.CI;
    process.env.CI = "true";
    try {
      const { stdout, stdin, bus, dashboard, stops } = setup(false);
      bus.emit({ type: "worker-started", app: "demo-dash", stream: "demo", table: "demo-dash" });
      bus.emit({ type: "lease-acquired", leaseKey: shard(0), leaseCounter: 1, how: "unowned" });
      stdin.write("q");
      await sleep(FRAME_MS * 2);
      bus.emit({ type: "lease-released", leaseKey: shard(0), leaseCounter: 2 });
      await dashboard.stop();
      expect(stdin.rawMode).toEqual([]);
      expect(stops()).toBe(0);
      expect(stdout.text()).toContain(`released ${shard(0)}`);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});

describe("StatusStore", () => {
  test("publishes only when events arrived or a second has passed", () => {
    let now = Date.UTC(2026, 0, 1);
    const store = new StatusStore(new StatusFold(FOLD_OPTIONS), () => now);
    let published = 0;
    store.subscribe(() => published++);
    expect(store.refresh()).toBe(false);
    store.apply({
      type: "lease-acquired",
      leaseKey: shard(0),
      leaseCounter: 1,
      how: "unowned",
      workerId: ME,
      at: now,
    });
    expect(store.getSnapshot().leases).toHaveLength(0); // folded, not yet published
    expect(store.refresh()).toBe(true);
    expect(store.getSnapshot().leases).toHaveLength(1);
    now += IDLE_REFRESH_MS - 1;
    expect(store.refresh()).toBe(false);
    now += 1;
    expect(store.refresh()).toBe(true); // heartbeat ages move even without events
    expect(store.getSnapshot().leases[0]!.heartbeatAgeMs).toBe(IDLE_REFRESH_MS);
    expect(store.refresh(true)).toBe(true);
    expect(published).toBe(3);
  });
});
