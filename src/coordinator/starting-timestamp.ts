// Which time an AT_TIMESTAMP start reads from: the lease's own `startingTimestamp` (written by
// `kcl-ts leases reset --to <time>`) wins over the worker's --timestamp, so every owner agrees.
import type { ExtendedSequenceNumber, Lease } from "../leases/lease.ts";

export function startingTimestamp(
  lease: Pick<Lease, "startingTimestamp">,
  start: ExtendedSequenceNumber,
  configured: Date | undefined,
): Date | undefined {
  if (start.sequenceNumber === "AT_TIMESTAMP" && lease.startingTimestamp !== undefined)
    return new Date(lease.startingTimestamp);
  return configured;
}
