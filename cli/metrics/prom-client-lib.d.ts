// Types for the prom-client modules cli/metrics/prom.ts loads one by one (the package only types
// its index): each is the class the index re-exports.
declare module "prom-client/lib/registry" {
  import type { Registry } from "prom-client";
  const RegistryClass: typeof Registry;
  export default RegistryClass;
}
declare module "prom-client/lib/counter" {
  import type { Counter } from "prom-client";
  const CounterClass: typeof Counter;
  export default CounterClass;
}
declare module "prom-client/lib/gauge" {
  import type { Gauge } from "prom-client";
  const GaugeClass: typeof Gauge;
  export default GaugeClass;
}
