// A LeaseStore wrapper that injects DynamoDB throttling on a seeded fraction of calls, including the
// nasty kind: the write applied but the caller saw an error (an SDK retry that succeeded).
import { ThrottledError } from "../core/errors.ts";
import type { Random } from "../core/random.ts";
import type { Lease } from "../leases/lease.ts";
import type { CheckpointUpdate, LeaseStore, Outcome } from "../leases/store.ts";

export interface FaultOptions {
  /** Fraction of calls that fail with ThrottledError (0..1). */
  rate: number;
  /** Of the failing write calls, the fraction that applied before failing (0..1). Default 0.3. */
  appliedRate?: number;
  /** Seeded randomness: the same seed injects the same faults at the same calls. */
  random: Random;
}

type Mode = "ok" | "before" | "after";

export class FaultyLeaseStore implements LeaseStore {
  /** Injected faults so far, by mode. */
  readonly injected = { before: 0, after: 0 };
  enabled = true;

  constructor(
    private readonly inner: LeaseStore,
    private readonly faults: FaultOptions,
  ) {}

  ensureTable(): Promise<void> {
    return this.inner.ensureTable();
  }
  assertTableExists(): Promise<void> {
    return this.inner.assertTableExists();
  }
  listLeases(): Promise<Lease[]> {
    return this.call("listLeases", false, () => this.inner.listLeases());
  }
  getLease(leaseKey: string): Promise<Lease | undefined> {
    return this.call("getLease", false, () => this.inner.getLease(leaseKey));
  }
  createLeaseIfNotExists(lease: Lease): Promise<Outcome<Lease>> {
    return this.call("createLeaseIfNotExists", true, () => this.inner.createLeaseIfNotExists(lease));
  }
  renewLease(lease: Lease): Promise<Outcome<Lease>> {
    return this.call("renewLease", true, () => this.inner.renewLease(lease));
  }
  takeLease(lease: Lease, newOwner: string): Promise<Outcome<Lease>> {
    return this.call("takeLease", true, () => this.inner.takeLease(lease, newOwner));
  }
  releaseLease(lease: Lease): Promise<Outcome<Lease>> {
    return this.call("releaseLease", true, () => this.inner.releaseLease(lease));
  }
  updateCheckpoint(lease: Lease, update: CheckpointUpdate): Promise<Outcome<Lease>> {
    return this.call("updateCheckpoint", true, () => this.inner.updateCheckpoint(lease, update));
  }
  initiateHandoff(lease: Lease, nextOwner: string): Promise<Outcome<Lease>> {
    return this.call("initiateHandoff", true, () => this.inner.initiateHandoff(lease, nextOwner));
  }
  transferLease(lease: Lease): Promise<Outcome<Lease>> {
    return this.call("transferLease", true, () => this.inner.transferLease(lease));
  }
  recordResolvedStart(lease: Lease, startMillis: number): Promise<Outcome<Lease>> {
    return this.call("recordResolvedStart", true, () => this.inner.recordResolvedStart(lease, startMillis));
  }
  addChildShardIds(leaseKey: string, childShardIds: string[]): Promise<Outcome<Lease>> {
    return this.call("addChildShardIds", true, () => this.inner.addChildShardIds(leaseKey, childShardIds));
  }
  deleteLease(leaseKey: string): Promise<Outcome<void>> {
    return this.call("deleteLease", true, () => this.inner.deleteLease(leaseKey));
  }

  private async call<T>(operation: string, write: boolean, fn: () => Promise<T>): Promise<T> {
    const mode = this.pick(write);
    if (mode === "before") {
      this.injected.before += 1;
      throw throttled(operation);
    }
    const result = await fn();
    if (mode === "after") {
      this.injected.after += 1;
      throw throttled(operation);
    }
    return result;
  }

  private pick(write: boolean): Mode {
    // Always draw the same numbers per call so a seed replays identically whatever the outcome.
    const a = this.faults.random.next();
    const b = this.faults.random.next();
    if (!this.enabled || a >= this.faults.rate) return "ok";
    return write && b < (this.faults.appliedRate ?? 0.3) ? "after" : "before";
  }
}

function throttled(operation: string): ThrottledError {
  return new ThrottledError(`injected throttling on ${operation} (ProvisionedThroughputExceededException)`, {
    operation,
  });
}
