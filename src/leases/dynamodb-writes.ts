// What each fenced lease write changes and what it expects to find, as the DynamoDB store sends them:
// renew, take, release, checkpoint, handoff, transfer and the start position (dynamodb-store.ts sends them).
import { type Expectation, heldBy } from "./conflict.ts";
import { A } from "./dynamodb-codec.ts";
import type { Expr } from "./dynamodb-update.ts";
import type { Lease } from "./lease.ts";
import type { CheckpointUpdate } from "./store.ts";

export interface FencedWrite {
  operation: string;
  expected: Expectation;
  expr: Expr;
}

export function renewWrite(lease: Lease): FencedWrite {
  const expr: Expr = { set: { [A.leaseCounter]: n(lease.leaseCounter + 1) } };
  forgetNotices(expr, lease);
  return { operation: "renew", expected: heldBy(lease), expr };
}

export function takeWrite(lease: Lease, newOwner: string): FencedWrite {
  const expr: Expr = {
    set: { [A.leaseCounter]: n(lease.leaseCounter + 1), [A.leaseOwner]: { S: newOwner } },
    remove: [A.checkpointOwner],
  };
  if (lease.leaseOwner !== newOwner) expr.add = { [A.ownerSwitchesSinceCheckpoint]: n(1) };
  return { operation: "take", expected: { leaseCounter: lease.leaseCounter }, expr };
}

export function releaseWrite(lease: Lease): FencedWrite {
  return {
    operation: "release",
    expected: heldBy(lease),
    expr: { set: { [A.leaseCounter]: n(lease.leaseCounter + 1) }, remove: [A.leaseOwner, A.checkpointOwner] },
  };
}

export function checkpointWrite(lease: Lease, update: CheckpointUpdate): FencedWrite {
  const expr: Expr = {
    set: {
      [A.leaseCounter]: n(lease.leaseCounter + 1),
      [A.checkpoint]: { S: update.checkpoint.sequenceNumber },
      [A.checkpointSubSequenceNumber]: n(update.checkpoint.subSequenceNumber),
      [A.ownerSwitchesSinceCheckpoint]: n(0),
    },
    remove: [],
  };
  if (update.pendingCheckpoint) {
    expr.set![A.pendingCheckpoint] = { S: update.pendingCheckpoint.sequenceNumber };
    expr.set![A.pendingCheckpointSubSequenceNumber] = n(update.pendingCheckpoint.subSequenceNumber);
  } else if (update.pendingCheckpoint === null) {
    expr.remove!.push(A.pendingCheckpoint, A.pendingCheckpointSubSequenceNumber, A.pendingCheckpointState);
  }
  forgetNotices(expr, lease);
  return { operation: "checkpoint", expected: heldBy(lease), expr };
}

/** KCL 3.x graceful handoff from the current owner (who may still checkpoint) to `nextOwner`. */
export function handoffWrite(current: string, nextOwner: string): FencedWrite {
  return {
    operation: "initiateHandoff",
    expected: { owner: current, checkpointOwner: null },
    expr: { set: { [A.leaseOwner]: { S: nextOwner }, [A.checkpointOwner]: { S: current } } },
  };
}

export function transferWrite(lease: Lease): FencedWrite {
  return {
    operation: "transfer",
    expected: heldBy(lease),
    expr: {
      set: { [A.leaseCounter]: n(lease.leaseCounter + 1) },
      remove: [A.checkpointOwner],
      add: { [A.ownerSwitchesSinceCheckpoint]: n(1) },
    },
  };
}

export function resolvedStartWrite(lease: Lease, startMillis: number): FencedWrite {
  return {
    operation: "recordResolvedStart",
    expected: heldBy(lease),
    expr: { set: { [A.leaseCounter]: n(lease.leaseCounter + 1), [A.resolvedStart]: n(startMillis) } },
  };
}

/** Assignment notices this owner has read (assigner mode): removed, leaving newer ones in place. */
function forgetNotices(expr: Expr, lease: Lease): void {
  if (lease.assignedLeases && lease.assignedLeases.length > 0)
    expr.delete = { [A.assignedLeases]: { SS: [...new Set(lease.assignedLeases)] } };
}

function n(value: number): { N: string } {
  return { N: String(value) };
}
