// The live dashboard (`--output dashboard`): startDashboard() is the CLI's only entry point.
import { render } from "ink";
import { createElement } from "react";
import { every, systemClock } from "../../src/core/clock.ts";
import type { EventBus } from "../../src/core/events.ts";
import { StatusFold } from "../../src/status/index.ts";
import { App } from "./app.tsx";
import { StatusStore } from "./store.ts";

export interface DashboardOptions {
  events: EventBus;
  workerId: string;
  app: string;
  stream: string;
  region?: string;
  endpoint?: string;
  failoverMs: number;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  /** Graceful shutdown, the same path as SIGTERM. Called at most once (q). */
  requestStop: () => void;
  /** Wall clock for ages and uptime (default: the system clock). */
  now?: () => number;
  /** Ctrl+C in raw mode (default: raise SIGINT on this process, so the CLI's signal handling applies). */
  interrupt?: () => void;
}

export interface Dashboard {
  /** Renders the final state, restores the terminal and resolves when the screen is released. */
  stop(): Promise<void>;
}

/** Snapshot period: 5 frames/s at most, well under the 10 frames/s budget. */
export const FRAME_MS = 200;

export function startDashboard(opts: DashboardOptions): Dashboard {
  const now = opts.now ?? systemClock.now;
  const fold = new StatusFold({
    workerId: opts.workerId,
    app: opts.app,
    stream: opts.stream,
    region: opts.region,
    endpoint: opts.endpoint,
    failoverMs: opts.failoverMs,
  });
  const store = new StatusStore(fold, now);
  const unsubscribe = opts.events.onAny(store.apply);
  const cancelFrames = every(FRAME_MS, () => store.refresh());
  const interrupt = opts.interrupt ?? (() => process.kill(process.pid, "SIGINT"));
  const interactive = Boolean(opts.stdout.isTTY);
  // A terminal that narrows re-wraps the old frame onto more lines than Ink erases, leaving stale
  // rows above the new frame. Clearing the screen first (this listener runs before Ink's, which
  // is registered in render()) makes Ink redraw from a clean top-left corner.
  const clearOnResize = () => opts.stdout.write("\x1b[2J\x1b[H");
  if (interactive) opts.stdout.on("resize", clearOnResize);
  const instance = render(createElement(App, { store, onQuit: opts.requestStop, onInterrupt: interrupt }), {
    stdout: opts.stdout,
    stdin: opts.stdin,
    // Ink treats CI=true as non-interactive even on a terminal; the terminal is what matters here.
    interactive,
    // Raw mode swallows the terminal's SIGINT; Ctrl+C is handled as a key (see App).
    exitOnCtrlC: false,
    maxFps: 10,
  });
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        cancelFrames();
        unsubscribe();
        opts.stdout.off("resize", clearOnResize);
        store.refresh(true);
        await instance.waitUntilRenderFlush().catch(() => undefined);
        instance.unmount();
        await instance.waitUntilExit().catch(() => undefined);
      })();
      return stopping;
    },
  };
}
