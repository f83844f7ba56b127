// The graceful stop sequence (spec §5 signals): stop taking → shutdownRequested on every processor →
// final checkpoints → each lease released (or, in handoff, transferred) as soon as its own consumer is
// done → the rest released → stop renewing; bounded by shutdownTimeoutMs.
import type { Clock } from "../core/clock.ts";
import type { LeaseCoordinator } from "../leases/coordinator.ts";
import type { ShardScheduler } from "./scheduler.ts";
import { withDeadline } from "./startup.ts";

/** Releasing leases after a timed-out shutdown still gets this long (a release is one conditional write). */
export const RELEASE_GRACE_MS = 2000;

export interface GracefulStopOptions {
  coordinator: Pick<LeaseCoordinator, "stopTaking" | "heldLeases" | "release">;
  scheduler: Pick<ShardScheduler, "shutdown" | "abandon">;
  clock: Clock;
  shutdownTimeoutMs: number;
  /** Stops shard sync and cleanup. */
  stopDuties: () => void;
  /** Stops the renewer (after the releases: until then the leases must stay alive). */
  stopLeasing: () => void;
  /** Per-lease releases (at each consumer's end) that failed so far. */
  releaseFailures?: () => number;
  /** Loops to wait for (briefly) once everything is stopped. */
  background: Promise<unknown>[];
}

/** True when every consumer shut down in time and every held lease was released. */
export async function gracefulStop(o: GracefulStopOptions): Promise<boolean> {
  const { clock } = o;
  o.coordinator.stopTaking();
  o.stopDuties();
  const started = clock.monotonic();
  const inTime = await finishes(o.scheduler.shutdown(), o.shutdownTimeoutMs, clock);
  // Past the deadline no processor may checkpoint any more: the leases are handed back regardless.
  if (!inTime) o.scheduler.abandon();
  const remaining = o.shutdownTimeoutMs - (clock.monotonic() - started);
  const released = await withDeadline(
    releaseAll(o.coordinator),
    Math.max(RELEASE_GRACE_MS, remaining),
    clock,
    () => new Error("release timed out"),
  ).catch(() => false);
  o.stopLeasing();
  await finishes(Promise.allSettled(o.background), RELEASE_GRACE_MS, clock);
  return inTime && released && (o.releaseFailures?.() ?? 0) === 0;
}

/** Every lease still held (finished ones, those without a consumer) is released: others take it at once. */
async function releaseAll(coordinator: GracefulStopOptions["coordinator"]): Promise<boolean> {
  const outcomes = await Promise.all(
    coordinator.heldLeases().map((l) => coordinator.release(l.leaseKey).catch(() => ({ ok: false }))),
  );
  return outcomes.every((outcome) => outcome.ok);
}

/** True when `work` settles within `ms`; false on timeout or rejection. */
async function finishes(work: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
  try {
    await withDeadline(work, ms, clock, () => new Error("timeout"));
    return true;
  } catch {
    return false;
  }
}
