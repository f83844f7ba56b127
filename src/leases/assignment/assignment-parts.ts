// Assigner mode's collaborators, wired from its options: the election, the holder probes, the standby's
// leader watch, the lease discoverer and the assigner itself (assignment-mode.ts runs them in one loop).
import { Assigner } from "./assigner.ts";
import {
  LEADER_CHECK_MS,
  LEADER_RARE_DURATION_MS,
  LEADER_RARE_HEARTBEAT_MS,
  WORKER_ROW_MS,
} from "./cadences.ts";
import type { AssignmentModeOptions } from "./assignment-mode.ts";
import { LeaseDiscoverer } from "./discoverer.ts";
import { HolderProbes } from "./holder-probes.ts";
import { LeaderElection } from "./leader-election.ts";
import { LeaderWatch } from "./leader-watch.ts";

export interface AssignmentParts {
  election: LeaderElection;
  probes: HolderProbes;
  leaderWatch: LeaderWatch;
  discoverer: LeaseDiscoverer;
  assigner: Assigner;
}

export function assignmentParts(
  o: AssignmentModeOptions,
  hooks: { fastLearners: () => ReadonlySet<string> | undefined },
): AssignmentParts {
  const election = new LeaderElection({
    store: o.store,
    workerId: o.workerId,
    clock: o.clock,
    random: o.random,
    durationMs: o.failoverMs,
    heartbeatMs: o.renewIntervalMs,
    standbyCheckMs: o.assignerIntervalMs,
    checkMs: LEADER_CHECK_MS,
    // A leader holding a lease is watched by its standby through it (leader-watch.ts).
    watchable: () => o.heldKeys().size > 0,
    rareHeartbeatMs: LEADER_RARE_HEARTBEAT_MS,
    rareDurationMs: LEADER_RARE_DURATION_MS,
  });
  const probes = new HolderProbes({
    store: o.store,
    clock: o.clock,
    failoverMs: o.failoverMs,
    workerId: o.workerId,
    renewIntervalMs: o.renewIntervalMs,
    // After every second renewal: a death is seen within a renew interval plus the phase margin, and
    // its leases go to workers that learn within FAST_LEARN_MS, so takeover ≤ failover + R + margin +
    // FAST_LEARN_MS ≈ 14.6 s at the defaults (reading after every renewal would cost twice the reads).
    everyRenewals: 2,
  });
  const leaderWatch = new LeaderWatch({
    store: o.store,
    clock: o.clock,
    election: election,
    workerId: o.workerId,
    failoverMs: o.failoverMs,
    renewIntervalMs: o.renewIntervalMs,
  });
  const discoverer = new LeaseDiscoverer({
    store: o.store,
    workerId: o.workerId,
    heldKeys: o.heldKeys,
    taking: o.taking,
    // A lease that was in handoff to us reports the steal it is; an assignment cannot tell an expired
    // lease from a released one, so a counter above 1 (taken before) reads as expired.
    adopt: (lease, from) =>
      from ? o.adopt(lease, "stolen", from) : o.adopt(lease, lease.leaseCounter > 1 ? "expired" : "unowned"),
  });
  const assigner = new Assigner({
    store: o.store,
    workerId: o.workerId,
    clock: o.clock,
    observer: o.observer,
    renewIntervalMs: o.renewIntervalMs,
    maxLeasesForWorker: o.maxLeasesForWorker,
    workerStaleMs: 2 * WORKER_ROW_MS,
    handoffTimeoutMs: o.handoffTimeoutMs,
    intervalMs: o.assignerIntervalMs,
    heldKeys: o.heldKeys,
    taking: o.taking,
    acquiredSelf: (lease, how, previousOwner) => o.adopt(lease, how, previousOwner),
    handoffToSelf: (key) => discoverer.notice([key]),
    fastLearners: () => hooks.fastLearners(),
    emit: o.emit,
  });
  return { election, probes, leaderWatch, discoverer, assigner };
}
