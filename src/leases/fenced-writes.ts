// The three fenced writes the renewer sends (renew, checkpoint, release): how each is sent, how it is
// recognised in a re-read after a conflict (the SDK may have retried a write that applied), and what
// its failure means. Every one is conditioned on owner and leaseCounter and bumps the counter.
import type { LostReason } from "../core/events.ts";
import { compareCheckpoints, type Lease } from "./lease.ts";
import type { OfferedCheckpoint } from "./offered-checkpoint.ts";
import type { CheckpointUpdate, LeaseStore, Outcome } from "./store.ts";

export interface WriteSpec {
  operation: "renew" | "checkpoint" | "release";
  send: (lease: Lease) => Promise<Outcome<Lease>>;
  /** After a conflict: does `current` show that our own (SDK-retried) write applied? */
  applied: (current: Lease, sent: Lease) => boolean;
  /** Loss reason when the re-read shows neither our write nor another owner. */
  fenced: LostReason;
  /** After success: keep holding (renew, checkpoint) or let go (release). */
  keep: boolean;
  /**
   * True when the write would change nothing worth a write, judged against the held lease at send
   * time: it then succeeds without being sent (a checkpoint at or behind the held one: checkpoints
   * never move backwards, whatever order queued writes run in).
   */
  noop?: (held: Lease) => boolean;
}

/**
 * Our own write applied iff the lease still names us (as owner, or as the old owner of a handoff) and
 * the counter moved by exactly that write.
 */
function isMine(workerId: string, current: Lease, sent: Lease): boolean {
  const named = current.leaseOwner === workerId || current.checkpointOwner === workerId;
  return (
    named &&
    current.leaseOwner === sent.leaseOwner &&
    current.checkpointOwner === sent.checkpointOwner &&
    current.leaseCounter === sent.leaseCounter + 1
  );
}

/** A renewal, carrying the offered checkpoint when there is one beyond the lease's checkpoint. */
export function renewWrite(store: LeaseStore, workerId: string, offered: OfferedCheckpoint): WriteSpec {
  // Decided at send time (the write may wait behind a checkpoint), re-decided on every retry.
  let carried: CheckpointUpdate | undefined;
  return {
    operation: "renew",
    send: (lease) => {
      carried = offered.toCarry(lease.checkpoint);
      return carried ? store.updateCheckpoint(lease, carried) : store.renewLease(lease);
    },
    applied: (cur, sent) =>
      isMine(workerId, cur, sent) &&
      (!carried || compareCheckpoints(cur.checkpoint, carried.checkpoint) === 0),
    fenced: "renew-failed",
    keep: true,
  };
}

export function checkpointWrite(store: LeaseStore, workerId: string, update: CheckpointUpdate): WriteSpec {
  return {
    operation: "checkpoint",
    send: (lease) => store.updateCheckpoint(lease, update),
    applied: (cur, sent) =>
      isMine(workerId, cur, sent) && compareCheckpoints(cur.checkpoint, update.checkpoint) === 0,
    fenced: "checkpoint-fenced",
    keep: true,
    noop: (held) => {
      const order = compareCheckpoints(update.checkpoint, held.checkpoint);
      if (order < 0) return true;
      // Equal: still worth a write when it clears a pending (prepared) checkpoint or sets a new one.
      return (
        order === 0 &&
        (update.pendingCheckpoint === undefined ||
          (update.pendingCheckpoint === null && !held.pendingCheckpoint))
      );
    },
  };
}

/** The resolved start of a LATEST / AT_TIMESTAMP lease: written once, never overwritten. */
export function startWrite(store: LeaseStore, startMillis: number): WriteSpec {
  return {
    operation: "checkpoint",
    send: (lease) => store.recordResolvedStart(lease, startMillis),
    applied: (cur, sent) => cur.leaseCounter === sent.leaseCounter + 1 && cur.resolvedStart === startMillis,
    fenced: "checkpoint-fenced",
    keep: true,
    noop: (held) => held.resolvedStart !== undefined,
  };
}

/**
 * Letting go: owner-conditioned, counter + 1. A plain lease is released (owner removed: others may take
 * it at once); a lease in handoff from us is transferred to the next owner (checkpointOwner removed),
 * decided at send time because a handoff may arrive while the release waits or retries.
 */
export function releaseWrite(store: LeaseStore, workerId: string): WriteSpec {
  const transfer = (lease: Lease) => lease.checkpointOwner === workerId;
  return {
    operation: "release",
    send: (lease) => (transfer(lease) ? store.transferLease(lease) : store.releaseLease(lease)),
    applied: (cur, sent) =>
      cur.leaseCounter === sent.leaseCounter + 1 &&
      cur.checkpointOwner === undefined &&
      cur.leaseOwner === (transfer(sent) ? sent.leaseOwner : undefined),
    fenced: "renew-failed",
    keep: false,
  };
}

/**
 * True when `current` shows that a graceful handoff of a lease we hold plainly (`sent`) was initiated:
 * owner := next, checkpointOwner := us, counter unchanged (KCL 3.x initiate). The old owner adopts it.
 */
export function handoffInitiated(workerId: string, current: Lease, sent: Lease): boolean {
  return (
    sent.checkpointOwner === undefined &&
    current.checkpointOwner === workerId &&
    current.leaseOwner !== undefined &&
    current.leaseOwner !== workerId &&
    current.leaseCounter === sent.leaseCounter
  );
}
