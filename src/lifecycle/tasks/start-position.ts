// Where a shard consumer starts reading (spec §2 "No gap at LATEST"): a lease still at LATEST or
// AT_TIMESTAMP gets its resolved start time recorded in the lease before anything is read, so a later
// owner — or this one, reopening before it delivered anything — starts there, not at its own "now".
import { LeaseLostError } from "../../core/errors.ts";
import type { ExtendedSequenceNumber } from "../../leases/lease.ts";
import type { ConsumerRuntime } from "../runtime.ts";

/**
 * A later owner starts at AT_TIMESTAMP(recorded − this): the first owner's wall clock may run ahead of
 * Kinesis's arrival timestamps. A few records from just before the first read may then be delivered;
 * none written after it can be skipped.
 */
export const RESOLVED_START_MARGIN_MS = 1000;

/** A start position with the timestamp an AT_TIMESTAMP start needs. */
export interface StartPosition {
  position: ExtendedSequenceNumber;
  timestamp?: Date;
}

const AT_TIMESTAMP: ExtendedSequenceNumber = { sequenceNumber: "AT_TIMESTAMP", subSequenceNumber: 0 };

/**
 * The first open of this acquisition: a recorded start is honoured; an unrecorded LATEST opens LATEST
 * once its time is recorded (fenced: a lost lease throws LeaseLostError). `rt.start` is set to what a
 * reopen before the first delivery must use.
 */
export async function firstStart(rt: ConsumerRuntime): Promise<StartPosition> {
  const { o } = rt;
  const lease = o.lease;
  const sentinel = lease.checkpoint.sequenceNumber;
  if (sentinel !== "LATEST" && sentinel !== "AT_TIMESTAMP") {
    rt.start = { position: lease.checkpoint };
    return rt.start;
  }
  const exact = sentinel === "AT_TIMESTAMP";
  let recorded = lease.resolvedStart;
  if (recorded === undefined) {
    const at = exact ? o.config.timestamp?.getTime() : o.clock.now();
    // AT_TIMESTAMP without a timestamp: the reader reports the configuration error.
    if (at === undefined) return { position: lease.checkpoint };
    if (o.leases.recordResolvedStart) {
      const outcome = await o.leases.recordResolvedStart(rt.leaseKey, at);
      if (!outcome.ok) {
        throw new LeaseLostError(`lease ${rt.leaseKey} was lost before its start could be recorded`, {
          shardId: rt.shardId,
          leaseKey: rt.leaseKey,
        });
      }
    }
    recorded = at;
    rt.start = { position: AT_TIMESTAMP, timestamp: startTime(recorded, exact) };
    // The first read of the application: LATEST itself (an AT_TIMESTAMP at the tip may not answer).
    return exact ? rt.start : { position: lease.checkpoint };
  }
  rt.start = { position: AT_TIMESTAMP, timestamp: startTime(recorded, exact) };
  return rt.start;
}

function startTime(recorded: number, exact: boolean): Date {
  return new Date(exact ? recorded : recorded - RESOLVED_START_MARGIN_MS);
}
