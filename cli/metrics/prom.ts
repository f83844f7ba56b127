// prom-client's Registry (it writes the exposition text), from its own module: the package index also
// evaluates the push gateway, cluster aggregation and default process metrics, none of which kcl-ts
// uses — 50-70 ms of CPU at start-up against about 10 ms (measured, issue 17). The metrics it writes
// are cli/metrics/snapshot-metric.ts and cli/metrics/histogram.ts.
import RegistryClass from "prom-client/lib/registry";

export const Registry = RegistryClass;
export type Registry = InstanceType<typeof RegistryClass>;
