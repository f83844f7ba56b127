// The live dashboard (`--output dashboard`): startDashboard() is the CLI's only entry point.
import { render } from "ink";
import { createElement, Fragment } from "react";
import { every, systemClock } from "../../src/core/clock.ts";
import type { EventBus } from "../../src/core/events.ts";
import { StatusFold } from "../../src/status/index.ts";
import { App } from "./app.tsx";
import { StdioBridge } from "./bridge.tsx";
import { StatusStore } from "./store.ts";
import { InkTerminal, type TerminalStream, WriteRouter } from "./terminal.ts";

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
  /**
   * The terminal's stderr, whose writes are shown above the frame instead of tearing it
   * (default: process.stderr when stdout is process.stdout and both are terminals).
   */
  stderr?: NodeJS.WriteStream;
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
  const interrupt = opts.interrupt ?? (() => process.kill(process.pid, "SIGINT"));
  const interactive = Boolean(opts.stdout.isTTY);
  const out = interactive ? shareTerminal(opts.stdout) : undefined;
  const errStream = opts.stderr ?? (opts.stdout === process.stdout ? process.stderr : undefined);
  const err = interactive && errStream?.isTTY ? shareTerminal(errStream) : undefined;
  const cancelFrames = every(FRAME_MS, () => {
    out?.router.flush();
    err?.router.flush();
    store.refresh();
  });
  const onReady = (writeOut: (s: string) => void, writeErr: (s: string) => void) => {
    out?.router.attach(writeOut);
    err?.router.attach(writeErr);
  };
  const tree = createElement(
    Fragment,
    null,
    createElement(App, { store, onQuit: opts.requestStop, onInterrupt: interrupt }),
    createElement(StdioBridge, { onReady }),
  );
  const instance = render(tree, {
    stdout: (out?.ink ?? opts.stdout) as unknown as NodeJS.WriteStream,
    stderr: (err?.ink ?? errStream ?? process.stderr) as unknown as NodeJS.WriteStream,
    stdin: opts.stdin,
    // Ink treats CI=true as non-interactive even on a terminal; the terminal is what matters here.
    interactive,
    // Raw mode swallows the terminal's SIGINT; Ctrl+C is handled as a key (see App).
    exitOnCtrlC: false,
    maxFps: 10,
  });
  // Ink unmounts by itself on SIGINT/SIGTERM (signal-exit) while the CLI is still shutting down
  // gracefully: from then on other writes must reach the terminal directly, not a gone frame.
  let released = false;
  const releaseTerminal = () => {
    if (released) return;
    released = true;
    const restOut = out?.release() ?? "";
    const restErr = err?.release() ?? "";
    return () => {
      if (restOut) opts.stdout.write(restOut);
      if (restErr) errStream?.write(restErr);
    };
  };
  instance.waitUntilExit().then(
    () => releaseTerminal()?.(),
    () => releaseTerminal()?.(),
  );
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        cancelFrames();
        unsubscribe();
        out?.router.flush();
        err?.router.flush();
        store.refresh(true);
        await instance.waitUntilRenderFlush().catch(() => undefined);
        // Writes made while Ink unmounts go straight to the terminal; held ones follow the last frame.
        const printRest = releaseTerminal();
        instance.unmount();
        await instance.waitUntilExit().catch(() => undefined);
        printRest?.();
      })();
      return stopping;
    },
  };
}

/**
 * Routes other writes to `stream` through Ink and gives Ink a facade with the original write. On a
 * narrowing terminal the old frame re-wraps onto more lines than Ink erases; clearing the screen
 * first (this listener is registered before the facade's, so it runs before Ink redraws) leaves no
 * stale rows above the new frame.
 */
function shareTerminal(stream: NodeJS.WriteStream) {
  const router = new WriteRouter(stream as unknown as TerminalStream);
  const clearOnResize = () => router.original("\x1b[2J\x1b[H");
  stream.on("resize", clearOnResize);
  const ink = new InkTerminal(stream as unknown as TerminalStream, router.original);
  return {
    router,
    ink,
    release(): string {
      stream.off("resize", clearOnResize);
      ink.dispose();
      return router.release();
    },
  };
}
