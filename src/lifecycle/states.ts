// The per-shard lifecycle as an explicit transition table (Java KCL ConsumerStates, made data).
import { InvariantViolationError } from "../core/errors.ts";
import type { ShardStateName } from "../core/events.ts";

export type ShardState =
  | "waiting-on-parents"
  | "initializing"
  | "processing"
  | "shard-end"
  | "lease-lost"
  | "shutdown-requested"
  | "shut-down";

export const SHARD_STATES: readonly ShardState[] = [
  "waiting-on-parents",
  "initializing",
  "processing",
  "shard-end",
  "lease-lost",
  "shutdown-requested",
  "shut-down",
];

/** Why a consumer is told to stop. Lease loss wins over a requested shutdown (as in the Java KCL). */
export type StopReason = "lease-lost" | "requested";
export const STOP_REASONS: readonly StopReason[] = ["lease-lost", "requested"];

/**
 * What one task run of a state produced:
 * - done: the state's work is complete (parents finished, initialized, a batch processed, shutdown ran)
 * - blocked: nothing to do yet (a parent is not at SHARD_END, GetRecords returned nothing)
 * - failed: the task threw; the state's own retry rules apply
 * - end-of-shard: the shard's last record was delivered (or the lease was already at SHARD_END)
 * - stop: the consumer was told to stop, for `reason`
 */
export type TaskOutcome =
  | { kind: "done" }
  | { kind: "blocked" }
  | { kind: "failed" }
  | { kind: "end-of-shard" }
  | { kind: "stop"; reason: StopReason };

export type OutcomeKey = "done" | "blocked" | "failed" | "end-of-shard" | `stop:${StopReason}`;

export const OUTCOME_KEYS: readonly OutcomeKey[] = [
  "done",
  "blocked",
  "failed",
  "end-of-shard",
  "stop:lease-lost",
  "stop:requested",
];

export function outcomeKey(outcome: TaskOutcome): OutcomeKey {
  return outcome.kind === "stop" ? `stop:${outcome.reason}` : outcome.kind;
}

/** Cells that cannot happen are absent: reaching one is a bug, reported as an InvariantViolationError. */
export const TRANSITIONS: Readonly<Record<ShardState, Readonly<Partial<Record<OutcomeKey, ShardState>>>>> = {
  "waiting-on-parents": {
    done: "initializing",
    blocked: "waiting-on-parents",
    failed: "waiting-on-parents",
    // The lease is already at SHARD_END (a finished lease we took over): only the shard-end duties remain.
    "end-of-shard": "shard-end",
    // No processor exists yet, so there is nobody to tell.
    "stop:lease-lost": "shut-down",
    "stop:requested": "shut-down",
  },
  initializing: {
    done: "processing",
    failed: "initializing",
    "stop:lease-lost": "lease-lost",
    "stop:requested": "shutdown-requested",
  },
  processing: {
    done: "processing",
    blocked: "processing",
    failed: "processing",
    "end-of-shard": "shard-end",
    "stop:lease-lost": "lease-lost",
    "stop:requested": "shutdown-requested",
  },
  "shard-end": {
    done: "shut-down",
    failed: "shard-end",
    "stop:lease-lost": "lease-lost",
    // Only reachable when the shard-end task was interrupted (e.g. in a retry wait): hand over cleanly.
    "stop:requested": "shutdown-requested",
  },
  "lease-lost": {
    done: "shut-down",
    // leaseLost threw: nothing more can be done for a shard we no longer own.
    failed: "shut-down",
    "stop:lease-lost": "lease-lost",
    "stop:requested": "lease-lost",
  },
  "shutdown-requested": {
    done: "shut-down",
    failed: "shut-down",
    // The lease went away while shutting down: the processor still gets leaseLost.
    "stop:lease-lost": "lease-lost",
    "stop:requested": "shutdown-requested",
  },
  "shut-down": {},
};

export function transition(state: ShardState, outcome: TaskOutcome): ShardState {
  const key = outcomeKey(outcome);
  const next = TRANSITIONS[state][key];
  if (!next) {
    throw new InvariantViolationError(
      `shard lifecycle: no transition from "${state}" on "${key}". This is a bug in kcl-ts: please report it with this message.`,
    );
  }
  return next;
}

/** The state the dashboard shows (ShardStateName in core/events). */
export function displayState(state: ShardState): ShardStateName {
  return state === "shutdown-requested" ? "shutting-down" : state;
}
