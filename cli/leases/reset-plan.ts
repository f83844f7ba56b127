// `leases reset` planning, kept pure: which leases a selector names, and per lease what would be
// written and whether it is allowed (finished leases skipped unless named, live owners need --force).
import { ConfigurationError } from "../../src/core/errors.ts";
import { isFinished, type Lease } from "../../src/leases/lease.ts";
import { inStream, matchesShard } from "./keys.ts";

export interface Selector {
  shard?: string[];
  all?: boolean;
  stream?: string;
}

export interface Selected {
  lease: Lease;
  /** Named with --shard (a finished lease is reset only then). */
  named: boolean;
}

/** The leases a selector names; unknown or ambiguous shards and conflicting selectors are usage errors. */
export function selectLeases(leases: Lease[], sel: Selector, table: string): Selected[] {
  const shards = (sel.shard ?? []).filter((s) => s !== "");
  if (shards.length > 0 && sel.all) {
    throw new ConfigurationError("leases reset: give either --shard <id>… or --all, not both.", {
      option: "shard",
    });
  }
  if (shards.length === 0 && !sel.all && !sel.stream) {
    throw new ConfigurationError(
      "leases reset needs the leases to reset: --shard <id> (repeatable), --all, or --stream <name>.",
      { option: "shard" },
    );
  }
  if (shards.length === 0) {
    return leases
      .filter((l) => !sel.stream || inStream(l.leaseKey, sel.stream))
      .map((lease) => ({ lease, named: false }));
  }
  const unknown: string[] = [];
  const selected: Selected[] = [];
  for (const shard of shards) {
    const matches = leases.filter((l) => matchesShard(l.leaseKey, shard, sel.stream));
    if (matches.length === 0) unknown.push(shard);
    else if (matches.length > 1) {
      throw new ConfigurationError(
        `--shard ${shard} matches ${matches.length} leases (${matches.map((l) => l.leaseKey).join(", ")}): add --stream <name> or give the full lease key.`,
        { option: "shard" },
      );
    } else if (!selected.some((s) => s.lease.leaseKey === matches[0]!.leaseKey)) {
      selected.push({ lease: matches[0] as Lease, named: true });
    }
  }
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `no lease for shard${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} in lease table ${table}. ` +
        "Run `kcl-ts leases list` for the lease keys (a worker creates a shard's lease at its shard sync).",
      { option: "shard" },
    );
  }
  return selected;
}

export type PlanAction = "reset" | "fence-and-reset" | "refused-live-owner" | "skipped-finished";

export interface PlanRow {
  lease: Lease;
  ownerLive: boolean;
  action: PlanAction;
}

export function planReset(selected: Selected[], live: Set<string>, force: boolean): PlanRow[] {
  return selected.map(({ lease, named }) => {
    const ownerLive = live.has(lease.leaseKey);
    let action: PlanAction = "reset";
    if (isFinished(lease) && !named) action = "skipped-finished";
    else if (ownerLive) action = force ? "fence-and-reset" : "refused-live-owner";
    return { lease, ownerLive, action };
  });
}

export const ACTION_TEXT: Record<PlanAction, string> = {
  reset: "reset",
  "fence-and-reset": "fence owner + reset",
  "refused-live-owner": "REFUSED: owner is live (--force fences it)",
  "skipped-finished": "skipped: finished (SHARD_END); name it with --shard to reset",
};
