// Assigner mode's fixed cadences and sizes: how often each worker writes its row and reads the leader
// row, the leader's rare heartbeat, and the thresholds of the probe-or-scan and fast-learner choices.

/** KCL 3.x cadence: worker rows every 30 s, stale after 2 × that. */
export const WORKER_ROW_MS = 30_000;
/**
 * Workers other than the standby read the leader row every 2 min (the 3.x lock's lease duration): they
 * matter only when the leader and its standby both die, and 3.x itself needs 2 min to replace a leader.
 */
export const LEADER_CHECK_MS = 120_000;
/** A notice key (not a lease) telling its reader it was named standby: read the leader row now. */
export const STANDBY_NOTICE = "kcl-ts:standby";
/** The Java KCL 3.x lock's heartbeat and lease duration, used while the leader's lease shows it alive. */
export const LEADER_RARE_HEARTBEAT_MS = 30_000;
export const LEADER_RARE_DURATION_MS = 120_000;
/** A lease row's size for the probe-or-scan choice (kcl-ts rows are ≈ 335 B; checkpoints vary). */
export const PROBE_ROW_BYTES = 400;
/**
 * A worker that holds leases learns of new ones from notices its renewals read back; its owner-index
 * Query is only a backstop for a lost notice (whose lease would otherwise wait to expire unrenewed and be
 * reassigned), so it runs this many times less often (5 min) than that of a worker that holds nothing
 * (which has no renewal to carry a notice).
 */
export const HOLDER_QUERY_FACTOR = 30;
/** Expired leases go to workers whose next renewal (which reads the notice) is due within this. */
export const FAST_LEARN_MS = 1000;
