// Start-up cost of the metrics adapter (issue 17): a worker without --metrics-port never evaluates
// prom-client, and with it the collector loads prom-client's Registry module only, not the package
// index (push gateway, cluster aggregation, default metrics: about 40-60 ms more CPU at start-up).
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as promIndex from "prom-client";
import { Registry } from "../../cli/metrics/prom.ts";
import { parseImports } from "../support/arch.ts";

const ROOT = join(import.meta.dir, "..", "..");

/** Packages a file evaluates at load time: static value imports, followed through project files. */
function staticPackages(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const ref of parseImports(readFileSync(file, "utf8"))) {
      if (ref.kind !== "static" || ref.typeOnly) continue;
      if (!ref.specifier.startsWith(".")) {
        packages.add(ref.specifier);
        continue;
      }
      const target = resolve(dirname(file), ref.specifier);
      if (existsSync(target) && /\.tsx?$/.test(target)) visit(target);
    }
  };
  visit(join(ROOT, entry));
  return { files: [...files].map((f) => relative(ROOT, f)).sort(), packages: [...packages].sort() };
}

describe("metrics adapter loading", () => {
  test("consume and multilang load cli/metrics but not the collector or prom-client until metrics are on", () => {
    for (const entry of ["cli/commands/consume.ts", "cli/commands/multilang.ts"]) {
      const graph = staticPackages(entry);
      expect(graph.files).toContain("cli/metrics/index.ts");
      expect(graph.files).not.toContain("cli/metrics/collector.ts");
      expect(graph.packages.filter((p) => /^prom-client(\/|$)/.test(p))).toEqual([]);
    }
  });

  test("the collector loads prom-client's Registry from its module, never the package index", () => {
    const prom = staticPackages("cli/metrics/collector.ts").packages.filter((p) =>
      p.startsWith("prom-client"),
    );
    expect(prom).toEqual(["prom-client/lib/registry"]);
  });

  test("that is the very Registry class the package index exports", () => {
    expect(Registry).toBe(promIndex.Registry);
  });
});
