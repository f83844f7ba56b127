// Event builders for status and dashboard tests: a worker's event stream on a hand-moved wall clock.
import type { KclEvent, KclEventBody, LeaseView } from "../../src/core/events.ts";

export const ME = "worker-me";
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Collects events with a controllable `at`; `step(ms)` moves time forward. */
export class EventScript {
  readonly events: KclEvent[] = [];
  t: number;

  constructor(
    readonly workerId = ME,
    start = T0,
  ) {
    this.t = start;
  }

  emit(body: KclEventBody): this {
    this.events.push({ ...body, workerId: this.workerId, at: this.t } as KclEvent);
    return this;
  }

  step(ms: number): this {
    this.t += ms;
    return this;
  }
}

export function shard(n: number): string {
  return `shardId-${String(n).padStart(12, "0")}`;
}

export function leaseView(n: number, over: Partial<LeaseView> = {}): LeaseView {
  return {
    leaseKey: shard(n),
    leaseCounter: 1,
    checkpoint: "TRIM_HORIZON",
    checkpointSubSequenceNumber: 0,
    parentShardIds: [],
    childShardIds: [],
    ownerSwitchesSinceCheckpoint: 0,
    ...over,
  };
}

export const FOLD_OPTIONS = {
  workerId: ME,
  app: "demo-dash",
  stream: "demo",
  region: "us-east-1",
  failoverMs: 10_000,
};
