// A taker-mode worker's check for a live lease assigner on its table (a mixed fleet fights over leases):
// the KCL 3.x `Leader` row, judged by the lock's own rule on this observer's monotonic clock — alive
// while its recordVersionNumber changes within its leaseDuration, abandoned once it has not for longer.
import { ConfigurationError } from "../core/errors.ts";
import type { LeaderRow } from "./assignment-store.ts";

/**
 * none: no leader row. unknown: a row not seen to change yet (a live assigner or a leftover: do not
 * take until it is judged). live: its version changed within its leaseDuration, or it appeared while
 * we watched. stale: unchanged for longer than its leaseDuration (an earlier assigner fleet's leftover).
 */
export type AssignerVerdict = "none" | "unknown" | "live" | "stale";

export class AssignerPresence {
  /** The row as last scanned (undefined: scanned and absent); never set before the first scan. */
  private seen: { rvn: string | undefined; at: number; changed: boolean } | undefined;

  /** Folds one scan's leader row in (`now`: this worker's monotonic time after the scan returned). */
  observe(row: LeaderRow | undefined, now: number): AssignerVerdict {
    const prev = this.seen;
    const rvn = row?.recordVersionNumber;
    if (!prev || prev.rvn !== rvn) {
      // A version we did not see before, after one we did (or after no row at all): someone writes it now.
      this.seen = { rvn, at: now, changed: prev !== undefined };
    }
    if (!row) return "none";
    const seen = this.seen!;
    if (now - seen.at > row.leaseDuration) return "stale";
    return seen.changed ? "live" : "unknown";
  }
}

/** The refusal a taker-mode worker stops with (exit code 2: a configuration error, spec §5). */
export function mixedAssignmentError(table: string, leader: LeaderRow): ConfigurationError {
  return new ConfigurationError(
    `lease table ${table} is coordinated by a live lease assigner (its Leader row, held by ${leader.ownerName}, ` +
      "is being heartbeated), but this worker runs --lease-assignment taker: the two modes would take " +
      "leases from each other. Start this worker with --lease-assignment assigner, or stop every " +
      "assigner-mode worker of this application first.",
    { table, option: "lease-assignment" },
  );
}

/**
 * Whether an error (thrown here, or serialized across the lease thread) is that refusal: it ends the
 * taker for good and the worker with exit code 2, where any other taker error is retried next round.
 */
export function isMixedAssignmentRefusal(
  e: { name?: string; context?: { option?: unknown; table?: unknown } } | null | undefined,
): boolean {
  return (
    e?.name === "ConfigurationError" &&
    e.context?.option === "lease-assignment" &&
    e.context.table !== undefined
  );
}
