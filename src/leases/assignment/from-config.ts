// Assigner mode built from the worker's configuration and lease store: the store must offer the owner
// index and leader row (DynamoDB or memory store), and the cadences come from the resolved options.
import { ConfigurationError } from "../../core/errors.ts";
import { supportsAssignment } from "../assignment-store.ts";
import type { LeaseCoordinatorOptions } from "../coordinator.ts";
import { AssignmentMode, type AssignmentModeOptions } from "./assignment-mode.ts";

/** What the coordinator lends the mode: its renewer, observer and event outlets. */
export type AssignmentHooks = Pick<
  AssignmentModeOptions,
  "observer" | "heldKeys" | "renewNow" | "taking" | "adopt" | "emit" | "warn"
>;

export function assignmentModeFor(o: LeaseCoordinatorOptions, hooks: AssignmentHooks): AssignmentMode {
  const { store, config } = o;
  if (!supportsAssignment(store)) {
    throw new ConfigurationError(
      "--lease-assignment assigner needs a lease store with the owner index and leader row (the DynamoDB or memory store)",
      { option: "lease-assignment" },
    );
  }
  return new AssignmentMode({
    ...hooks,
    store,
    workerId: o.workerId,
    clock: o.clock,
    random: o.random,
    failoverMs: config.failoverMs,
    renewIntervalMs: config.renewIntervalMs,
    assignerIntervalMs: config.assignerIntervalMs,
    assignerScanMs: config.assignerScanMs,
    ownerQueryMs: config.ownerQueryMs,
    maxLeasesForWorker: config.maxLeasesForWorker,
    handoffTimeoutMs: config.shutdownTimeoutMs + config.failoverMs,
  });
}
