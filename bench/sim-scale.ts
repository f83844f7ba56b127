// `npm run sim:scale -- --shards N --workers W [--json] [--seed S]`: the lease-coordination cost of
// today's design at N shards and W workers (simulated, metered as DynamoDB bills it) beside the Java
// KCL 2.x / 3.x formulas. `--table FILE…` renders JSON lines of earlier runs as the README table
// (`--table --plan FILE…`: the owner-index plan's reads beside them; `--table --assigner FILE…`: assigner
// mode runs beside the taker runs and the Java 3.x formula).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { LeaseAssignment } from "../src/config/options.ts";
import {
  assignerTable,
  markdownTable,
  planTable,
  type ScaleReport,
  scaleReport,
  seconds,
} from "./sim/scale-report.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    shards: { type: "string", default: "100" },
    workers: { type: "string", default: "2" },
    seed: { type: "string", default: "1" },
    json: { type: "boolean", default: false },
    "step-ms": { type: "string", default: "250" },
    "failover-ms": { type: "string", default: "10000" },
    "measure-seconds": { type: "string", default: "60" },
    "balance-limit-seconds": { type: "string", default: "120" },
    "lease-assignment": { type: "string", default: "taker" },
    "assigner-interval-ms": { type: "string" },
    "assigner-scan-ms": { type: "string" },
    "owner-query-ms": { type: "string" },
    table: { type: "boolean", default: false },
    plan: { type: "boolean", default: false },
    assigner: { type: "boolean", default: false },
  },
});

if (values.table) {
  const reports = positionals.flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.trim().startsWith("{"))
      .map((line) => JSON.parse(line) as ScaleReport),
  );
  console.log(
    values.assigner ? assignerTable(reports) : values.plan ? planTable(reports) : markdownTable(reports),
  );
  process.exit(0);
}

const startedAt = performance.now();
const r = await scaleReport({
  shards: Number(values.shards),
  workers: Number(values.workers),
  seed: Number(values.seed),
  stepMs: Number(values["step-ms"]),
  failoverMs: Number(values["failover-ms"]),
  measureMs: Number(values["measure-seconds"]) * 1000,
  balanceLimitMs: Number(values["balance-limit-seconds"]) * 1000,
  leaseAssignment: values["lease-assignment"] as LeaseAssignment,
  ...(values["assigner-interval-ms"] ? { assignerIntervalMs: Number(values["assigner-interval-ms"]) } : {}),
  ...(values["assigner-scan-ms"] ? { assignerScanMs: Number(values["assigner-scan-ms"]) } : {}),
  ...(values["owner-query-ms"] ? { ownerQueryMs: Number(values["owner-query-ms"]) } : {}),
});
const wall = `${((performance.now() - startedAt) / 1000).toFixed(1)} s of wall time`;

if (values.json) {
  console.log(JSON.stringify(r));
  console.error(wall);
} else {
  const f = (n: number) => Math.round(n).toLocaleString("en-US");
  console.log(`${f(r.shards)} shards × ${r.workers} workers (seed ${r.seed}, ${r.stepMs} ms steps, ${wall})`);
  const scan =
    r.leaseAssignment === "assigner"
      ? `assigner scans every ${r.assignerIntervalMs} ms, owner-index query every ${r.ownerQueryMs} ms`
      : `every worker scans every ${r.takerIntervalMs} ms`;
  console.log(
    `  ${r.leaseAssignment} mode; lease item ${r.leaseItemBytes} B; renew every ${r.renewIntervalMs} ms, ${scan}`,
  );
  console.log("  per minute           calls        RCU        WCU");
  for (const [name, c] of [
    ["fleet", r.fleet],
    ["per worker (mean)", r.perWorker],
    ["costliest worker", r.maxWorker],
  ] as const) {
    console.log(
      `  ${name.padEnd(18)} ${f(c.callsPerMinute).padStart(8)} ${f(c.readUnitsPerMinute).padStart(10)} ${f(c.writeUnitsPerMinute).padStart(10)}`,
    );
  }
  console.log(
    `  Java KCL 2.x formula         ${f(r.javaKcl2ReadUnitsPerMinute).padStart(10)} ${f(r.javaKcl2WriteUnitsPerMinute).padStart(10)}`,
  );
  console.log(
    `  Java KCL 3.x formula ${f(r.javaKcl3CallsPerMinute).padStart(8)} ${f(r.javaKcl3ReadUnitsPerMinute).padStart(10)} ${f(r.javaKcl3WriteUnitsPerMinute).padStart(10)}`,
  );
  console.log(
    `  kill ${r.killed}: takeover ${seconds(r.takeoverSeconds, 20 * r.failoverSeconds)} s (worst shard; failover ${r.failoverSeconds} s)`,
  );
  console.log(`  add ${r.added}: balanced after ${seconds(r.balanceSeconds, r.balanceLimitSeconds)} s`);
}
