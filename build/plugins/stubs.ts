// Bun.build plugin for optional imports the binary must not try to load at run time.
import { join } from "node:path";
import type { BunPlugin } from "bun";

const STUBS = join(import.meta.dir, "..", "stubs");

/** Ink imports `react-devtools-core` only when DEV=true; external, it breaks every command at start. */
export function optionalImportStubsPlugin(): BunPlugin {
  return {
    name: "kcl-ts-optional-import-stubs",
    setup(build) {
      build.onResolve({ filter: /^react-devtools-core$/ }, () => ({
        path: join(STUBS, "react-devtools-core.ts"),
      }));
    },
  };
}
