// Parses `leases reset --to`: TRIM_HORIZON, LATEST, an ISO 8601 time (→ AT_TIMESTAMP) or a sequence
// number, and turns it into what the lease gets. Malformed values are usage errors naming the value.
import { ConfigurationError } from "../../src/core/errors.ts";
import type { LeaseReset } from "../../src/leases/operator-store.ts";

export type ResetTarget =
  | { kind: "TRIM_HORIZON" }
  | { kind: "LATEST" }
  | { kind: "time"; at: number }
  | { kind: "sequence"; sequenceNumber: string };

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseResetTarget(value: string | undefined): ResetTarget {
  const to = (value ?? "").trim();
  if (to === "") {
    throw new ConfigurationError(
      "leases reset needs --to TRIM_HORIZON | LATEST | <ISO 8601 time> | <sequence number>.",
      { option: "to" },
    );
  }
  if (to === "TRIM_HORIZON" || to === "LATEST") return { kind: to };
  if (/^\d+$/.test(to)) return { kind: "sequence", sequenceNumber: to.replace(/^0+(?=\d)/, "") };
  const at = ISO.test(to) ? Date.parse(to) : Number.NaN;
  if (!Number.isFinite(at)) {
    throw new ConfigurationError(
      `--to ${JSON.stringify(to)} is neither TRIM_HORIZON, LATEST, an ISO 8601 time (e.g. 2026-11-27T10:00:00Z) nor a sequence number (decimal digits).`,
      { option: "to" },
    );
  }
  return { kind: "time", at };
}

/**
 * The lease write for a target. A time becomes AT_TIMESTAMP with the time in `resolvedStartMillis`;
 * LATEST records the moment of the reset there too (spec §2: a later owner never skips records
 * written after it); a sequence number is the new checkpoint (processing resumes after it).
 */
export function resetFor(target: ResetTarget, now: number): LeaseReset {
  switch (target.kind) {
    case "TRIM_HORIZON":
      return { checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 } };
    case "LATEST":
      return { checkpoint: { sequenceNumber: "LATEST", subSequenceNumber: 0 }, resolvedStart: now };
    case "time":
      return {
        checkpoint: { sequenceNumber: "AT_TIMESTAMP", subSequenceNumber: 0 },
        resolvedStart: target.at,
      };
    case "sequence":
      return { checkpoint: { sequenceNumber: target.sequenceNumber, subSequenceNumber: 0 } };
  }
}

export function describeReset(reset: LeaseReset): string {
  const cp = reset.checkpoint.sequenceNumber;
  return cp === "AT_TIMESTAMP" && reset.resolvedStart !== undefined
    ? `AT_TIMESTAMP ${new Date(reset.resolvedStart).toISOString()}`
    : cp;
}
