// Between the engine and React: folds every event at once (cheap), publishes a snapshot only on the
// frame timer, so a burst of thousands of records-processed events costs one render, not thousands.
import type { KclEvent } from "../../src/core/events.ts";
import type { StatusFold, WorkerStatus } from "../../src/status/index.ts";

/** Snapshots are redone at least this often even without events: ages and uptime keep moving. */
export const IDLE_REFRESH_MS = 1000;

export class StatusStore {
  private current: WorkerStatus;
  private readonly listeners = new Set<() => void>();
  private seenVersion: number;
  private seenAt: number;

  constructor(
    private readonly fold: StatusFold,
    private readonly now: () => number,
  ) {
    this.seenAt = now();
    this.seenVersion = fold.version;
    this.current = fold.snapshot(this.seenAt);
  }

  /** The event-bus listener: O(1), never renders. */
  readonly apply = (event: KclEvent): void => {
    this.fold.apply(event);
  };

  /**
   * Called by the frame timer: publishes a new snapshot when events arrived since the last one or
   * the last one is a second old. Returns whether it published.
   */
  refresh(force = false): boolean {
    const now = this.now();
    if (!force && this.fold.version === this.seenVersion && now - this.seenAt < IDLE_REFRESH_MS) return false;
    this.seenVersion = this.fold.version;
    this.seenAt = now;
    this.current = this.fold.snapshot(now);
    for (const l of this.listeners) l();
    return true;
  }

  /** For React's useSyncExternalStore. */
  readonly getSnapshot = (): WorkerStatus => this.current;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
