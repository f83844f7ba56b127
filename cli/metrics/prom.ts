// prom-client's Registry, Counter and Gauge, each from its own module: the package index also
// evaluates the push gateway, cluster aggregation and default process metrics, none of which kcl-ts
// uses — about 50-70 ms of CPU at start-up against about 10 ms for these (measured, issue 17). The
// histograms are cli/metrics/histogram.ts.
import CounterClass from "prom-client/lib/counter";
import GaugeClass from "prom-client/lib/gauge";
import RegistryClass from "prom-client/lib/registry";

export const Registry = RegistryClass;
export const Counter = CounterClass;
export const Gauge = GaugeClass;
export type Registry = InstanceType<typeof RegistryClass>;
export type Counter = InstanceType<typeof CounterClass>;
export type Gauge = InstanceType<typeof GaugeClass>;
