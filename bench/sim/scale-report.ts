// The scale simulation's report: the simulated numbers flattened beside the Java KCL 2.x / 3.x formulas
// at the same size and item size, and the README table.
import { type JavaModelInput, javaKcl2, javaKcl3 } from "./java-model.ts";
import { runScaleSim, type ScaleSimOptions, type ScaleSimResult } from "./scale-sim.ts";

export interface ScaleReport extends ScaleSimResult {
  callsPerMinute: number;
  readUnitsPerMinute: number;
  writeUnitsPerMinute: number;
  javaKcl2ReadUnitsPerMinute: number;
  javaKcl2WriteUnitsPerMinute: number;
  javaKcl3CallsPerMinute: number;
  javaKcl3ReadUnitsPerMinute: number;
  javaKcl3WriteUnitsPerMinute: number;
  /** The 3.x formula's terms (calls, read units, write units per minute). */
  javaKcl3Terms: Record<string, [number, number, number]>;
  /**
   * Writes per minute with the renewals at their rate (every lease once per renew interval) instead of
   * as counted in the metered minute, where each worker fits 18 or 19 renewal rounds depending on its
   * phase (± one worker's leases); the other writes as metered. Comparable with the 3.x formula.
   */
  steadyWriteUnitsPerMinute: number;
}

/** The length of the simulation's worker ids (the leaseOwner values the 3.x index holds). */
const WORKER_ID_BYTES = "ip-10-0-0-0.ec2.internal-1000-abcdef".length;

export async function scaleReport(o: ScaleSimOptions): Promise<ScaleReport> {
  const r = await runScaleSim(o);
  const model: JavaModelInput = {
    shards: r.shards,
    workers: r.workers,
    leaseItemBytes: r.leaseItemBytes,
    workerIdBytes: WORKER_ID_BYTES,
    failoverMs: r.failoverSeconds * 1000,
  };
  const j2 = javaKcl2(model);
  const j3 = javaKcl3(model);
  const renew = r.byOperation["UpdateItem:renew"];
  const renewUnits = renew && renew.calls > 0 ? renew.writeUnits / renew.calls : 1;
  const renewRate = (r.shards * 60_000 * renewUnits) / r.renewIntervalMs;
  return {
    ...r,
    callsPerMinute: r.fleet.callsPerMinute,
    readUnitsPerMinute: r.fleet.readUnitsPerMinute,
    writeUnitsPerMinute: r.fleet.writeUnitsPerMinute,
    javaKcl2ReadUnitsPerMinute: round(j2.readUnitsPerMinute),
    javaKcl2WriteUnitsPerMinute: round(j2.writeUnitsPerMinute),
    javaKcl3CallsPerMinute: round(j3.callsPerMinute),
    javaKcl3ReadUnitsPerMinute: round(j3.readUnitsPerMinute),
    javaKcl3WriteUnitsPerMinute: round(j3.writeUnitsPerMinute),
    javaKcl3Terms: Object.fromEntries(
      Object.entries(j3.terms).map(([k, v]) => [k, v.map(round) as [number, number, number]]),
    ),
    steadyWriteUnitsPerMinute: round(r.fleet.writeUnitsPerMinute - (renew?.writeUnits ?? 0) + renewRate),
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/**
 * The plan (owner index + one assigner), priced by the 3.x model: at the Java 3.x cadences and at
 * kcl-ts's 2 s cadences (which keep takeover near today's), beside today's simulated reads.
 */
export function planTable(reports: readonly ScaleReport[]): string {
  const head = [
    "| shards × workers | today RCU/min (simulated) | 3.x design, 20 s scan / 10 s query | reduction | same design, 2 s scan / 2 s query | reduction |",
    "|---|--:|--:|--:|--:|--:|",
  ];
  const rows = reports.map((r) => {
    const model: JavaModelInput = {
      shards: r.shards,
      workers: r.workers,
      leaseItemBytes: r.leaseItemBytes,
      workerIdBytes: WORKER_ID_BYTES,
      failoverMs: r.failoverSeconds * 1000,
    };
    const java = javaKcl3(model).readUnitsPerMinute;
    const fast = javaKcl3(model, { assignerScanMs: 2000, ownerQueryMs: 2000 }).readUnitsPerMinute;
    const less = (x: number) => `${(r.readUnitsPerMinute / x).toFixed(0)}× fewer`;
    return `| ${fmt(r.shards)} × ${r.workers} | ${fmt(r.readUnitsPerMinute)} | ${fmt(java)} | ${less(java)} | ${fmt(fast)} | ${less(fast)} |`;
  });
  return [...head, ...rows].join("\n");
}

/**
 * Assigner mode (`--lease-assignment assigner`) beside today's taker mode (same size, from the same
 * input files) and the Java 3.x formula, at its defaults and at the assigner's own cadences.
 */
export function assignerTable(reports: readonly ScaleReport[]): string {
  const head = [
    "| shards × workers | assigner: fleet calls / RCU / WCU per min | taker (today) RCU | Java 3.x RCU / WCU | reads ÷ 3.x | WCU, renewals at their rate | ÷ 3.x WCU | takeover s (worst shard) | balance s (+10 %) |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  const taker = (r: ScaleReport) =>
    reports.find(
      (t) => (t.leaseAssignment ?? "taker") === "taker" && t.shards === r.shards && t.workers === r.workers,
    );
  const rows = reports
    .filter((r) => r.leaseAssignment === "assigner")
    .map((r) => {
      const t = taker(r);
      const steady = r.steadyWriteUnitsPerMinute ?? r.writeUnitsPerMinute;
      return [
        `${fmt(r.shards)} × ${r.workers}`,
        `${fmt(r.callsPerMinute)} / ${fmt(r.readUnitsPerMinute)} / ${fmt(r.writeUnitsPerMinute)}`,
        t ? fmt(t.readUnitsPerMinute) : "–",
        `${fmt(r.javaKcl3ReadUnitsPerMinute)} / ${fmt(r.javaKcl3WriteUnitsPerMinute)}`,
        `${(r.readUnitsPerMinute / r.javaKcl3ReadUnitsPerMinute).toFixed(2)}×`,
        fmt(steady),
        `${(steady / r.javaKcl3WriteUnitsPerMinute).toFixed(4)}×`,
        seconds(r.takeoverSeconds, 20 * r.failoverSeconds),
        seconds(r.balanceSeconds, r.balanceLimitSeconds),
      ].join(" | ");
    });
  return [...head, ...rows.map((r) => `| ${r} |`)].join("\n");
}

export function seconds(s: number | null, limit: number): string {
  return s === null ? `> ${limit}` : String(Math.round(s * 10) / 10);
}

/** One Markdown row per size: today's design, per worker, and the Java formulas beside it. */
export function markdownTable(reports: readonly ScaleReport[]): string {
  const head = [
    "| shards × workers | fleet calls / RCU / WCU per min | per worker (mean) | Java 2.x RCU / WCU | Java 3.x RCU / WCU | kcl-ts ÷ 3.x reads | takeover s (worst shard) | balance s (+10 %) |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
  ];
  const rows = reports.map((r) =>
    [
      `${fmt(r.shards)} × ${r.workers}`,
      `${fmt(r.callsPerMinute)} / ${fmt(r.readUnitsPerMinute)} / ${fmt(r.writeUnitsPerMinute)}`,
      `${fmt(r.perWorker.callsPerMinute)} / ${fmt(r.perWorker.readUnitsPerMinute)} / ${fmt(r.perWorker.writeUnitsPerMinute)}`,
      `${fmt(r.javaKcl2ReadUnitsPerMinute)} / ${fmt(r.javaKcl2WriteUnitsPerMinute)}`,
      `${fmt(r.javaKcl3ReadUnitsPerMinute)} / ${fmt(r.javaKcl3WriteUnitsPerMinute)}`,
      `${(r.readUnitsPerMinute / r.javaKcl3ReadUnitsPerMinute).toFixed(1)}×`,
      seconds(r.takeoverSeconds, 20 * r.failoverSeconds),
      seconds(r.balanceSeconds, r.balanceLimitSeconds),
    ].join(" | "),
  );
  return [...head, ...rows.map((r) => `| ${r} |`)].join("\n");
}
