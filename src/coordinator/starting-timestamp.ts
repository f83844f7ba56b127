// Which time an AT_TIMESTAMP start reads from: the lease's own `resolvedStartMillis` (written by
// `kcl-ts leases reset --to <time>`) wins over the worker's --timestamp, so every owner agrees.
import type { ExtendedSequenceNumber, Lease } from "../leases/lease.ts";

export function startingTimestamp(
  lease: Pick<Lease, "resolvedStart">,
  start: ExtendedSequenceNumber,
  configured: Date | undefined,
): Date | undefined {
  if (start.sequenceNumber === "AT_TIMESTAMP" && lease.resolvedStart !== undefined)
    return new Date(lease.resolvedStart);
  return configured;
}
