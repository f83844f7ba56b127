// Types for the prom-client module cli/metrics/prom.ts loads on its own (the package only types its
// index): the class the index re-exports.
declare module "prom-client/lib/registry" {
  import type { Registry } from "prom-client";
  const RegistryClass: typeof Registry;
  export default RegistryClass;
}
