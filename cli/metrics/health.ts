// /healthz and /readyz as a pure fold of engine events: healthy while the worker runs and its lease
// writes (renewals, and takes once its leases are gone) land within the failover time, and its lease
// table scans get through; ready after the first shard sync and lease round. No clock reads: `now` is
// passed in, as in the status fold.
import type { KclEvent } from "../../src/core/events.ts";

export interface Verdict {
  ok: boolean;
  /** One line: what is wrong, or "ok". */
  reason: string;
}

type Phase = "starting" | "running" | "stopping" | "stopped";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export class HealthState {
  private phase: Phase = "starting";
  private startedAt: number | undefined;
  private synced = false;
  private lastScanAt: number | undefined;
  /** The last lease write that landed: a renewal or a take. */
  private lastWriteOkAt: number | undefined;
  /** Set by the first failed lease write after a success; cleared by the next success. */
  private failingSince: number | undefined;
  private lastFailureAt = 0;
  private lastFailure = "";
  private readonly held = new Set<string>();

  /** @param failoverMs the lease duration: renewals must land within it */
  constructor(private readonly failoverMs: number) {}

  apply(e: KclEvent): void {
    switch (e.type) {
      case "worker-started":
        this.phase = "running";
        this.startedAt = e.at;
        return;
      case "worker-stopping":
        if (this.phase !== "stopped") this.phase = "stopping";
        return;
      case "worker-stopped":
        this.phase = "stopped";
        return;
      case "shard-sync":
        this.synced = true;
        return;
      case "lease-table-scanned":
        this.lastScanAt = e.at;
        return;
      case "lease-renewed":
      case "lease-acquired":
        if (e.type === "lease-acquired") this.held.add(e.leaseKey);
        this.lastWriteOkAt = e.at;
        this.failingSince = undefined;
        return;
      case "lease-released":
      case "parent-lease-deleted":
        this.held.delete(e.leaseKey);
        return;
      case "lease-lost":
        this.held.delete(e.leaseKey);
        if (e.reason === "expired-locally" || e.reason === "renew-failed")
          this.failed(e.at, `lease ${e.leaseKey} lost (${e.reason})`);
        return;
      case "throttled":
        if (e.operation === "renew" || e.operation === "takeLease")
          this.failed(e.at, `${e.operation} of ${e.leaseKey ?? "?"} throttled`);
        return;
      case "lease-write-failed":
        if (e.operation === "renew") this.failed(e.at, `renew of ${e.leaseKey} failed: ${e.error}`);
        return;
      default:
        return;
    }
  }

  health(now: number): Verdict {
    if (this.phase !== "running") return { ok: false, reason: `worker is ${this.phase}` };
    if (this.failingSince !== undefined) {
      const age = now - (this.lastWriteOkAt ?? this.failingSince);
      // Holding nothing and nothing failed for a whole lease term: there is nothing left to fail.
      const over = this.held.size === 0 && now - this.lastFailureAt >= this.failoverMs;
      if (age >= this.failoverMs && !over) {
        return {
          ok: false,
          reason: `lease renewals failing: none landed for ${seconds(age)} (failover ${seconds(this.failoverMs)}); last: ${this.lastFailure}`,
        };
      }
    }
    // A worker holding nothing renews nothing: its lease table scans must still get through.
    const scanAge = now - (this.lastScanAt ?? this.startedAt ?? now);
    if (scanAge > 2 * this.failoverMs) {
      return {
        ok: false,
        reason: `no successful lease table scan for ${seconds(scanAge)} (limit ${seconds(2 * this.failoverMs)})`,
      };
    }
    return { ok: true, reason: "ok" };
  }

  readiness(): Verdict {
    if (this.phase !== "running") return { ok: false, reason: `worker is ${this.phase}` };
    if (!this.synced) return { ok: false, reason: "waiting for the first shard sync" };
    if (this.lastScanAt === undefined) return { ok: false, reason: "waiting for the first lease round" };
    return { ok: true, reason: "ok" };
  }

  private failed(at: number, what: string): void {
    this.failingSince ??= at;
    this.lastFailureAt = at;
    this.lastFailure = what;
  }
}
