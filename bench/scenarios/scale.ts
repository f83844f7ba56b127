// Scenario "scale": 1 worker on 100 and 500 shards at 20 records/s in total, after warm-up: CPU
// seconds per minute against the raw loop with the same idle time, RSS, and the DynamoDB requests and
// capacity units per minute, compared with the Java KCL 2.x formula at the same failover time.
import { join } from "node:path";
import { dynamoDbClient, fullScanCost, createStream, kinesisClient } from "../harness/aws.ts";
import { startKcl, startRaw } from "../harness/consumers.ts";
import { DeliveryTracker } from "../harness/deliveries.ts";
import { type EmulatorServer, startEmulatorServer } from "../harness/emulator.ts";
import { waitForAll, waitForOwnership } from "../harness/fleet.ts";
import { type LiveProducer, startProducer } from "../harness/producer.ts";
import type { BenchProcess } from "../harness/processes.ts";
import { type ThreadCpu, threadCpu, threadCpuDelta } from "../harness/threads.ts";
import { sleep } from "../harness/time.ts";
import type { OpStats } from "../metering-proxy.ts";
import { medians, round } from "../stats.ts";
import { type RunContext, type Scenario, type Target, target } from "./types.ts";

const RATE = 20;
const IDLE_TIME_MS = 1000; // the default --idle-time-ms, given to the raw loop too
const FAILOVER_MS = 10_000;
const WARMUP_MS = 15_000;
const READS = new Set(["GetItem", "Scan", "Query"]);

interface IdleMeasure {
  /** Spawn → every shard initialized (raw) / every lease held (kcl). */
  ownedAllMs: number;
  cpuSecondsPerMinute: number;
  /** The same CPU split by OS thread group (main, lease thread, JIT, GC, ...), seconds per minute. */
  cpuByThreadPerMinute?: ThreadCpu;
  rssMB: number;
  peakRssMB: number;
  getRecordsPerMinute: number;
  missing: number;
  exitCode: number | null;
  dynamodb?: {
    requestsPerMinute: number;
    readUnitsPerMinute: number;
    writeUnitsPerMinute: number;
    byOperation: Record<string, OpStats>;
  };
}

function perMinute(
  before: Record<string, OpStats> | null,
  after: Record<string, OpStats> | null,
  ms: number,
) {
  const out: Record<string, OpStats> = {};
  for (const [op, s] of Object.entries(after ?? {})) {
    const b = before?.[op] ?? { requests: 0, units: 0 };
    out[op] = {
      requests: round(((s.requests - b.requests) * 60_000) / ms, 1)!,
      units: round(((s.units - b.units) * 60_000) / ms, 1)!,
    };
  }
  return out;
}

async function measure(
  proc: BenchProcess,
  shards: number,
  emu: EmulatorServer,
  tracker: DeliveryTracker,
  producer: LiveProducer,
  windowMs: number,
): Promise<IdleMeasure> {
  const ownedAt = await waitForOwnership(tracker, [proc], [shards], 300_000);
  await sleep(WARMUP_MS);
  const s0 = proc.sample();
  const th0 = threadCpu(proc.pid);
  const st0 = await emu.stats();
  const t0 = Date.now();
  let rss = 0;
  while (Date.now() - t0 < windowMs) {
    await sleep(1000);
    rss = Math.max(rss, proc.sample()?.rssBytes ?? 0);
  }
  const s1 = proc.sample();
  const th1 = threadCpu(proc.pid);
  const st1 = await emu.stats();
  const ms = Date.now() - t0;
  if (!s0 || !s1) throw new Error(`${proc.name} exited during the measurement window:\n${proc.stderrTail()}`);
  const kinesis = perMinute(st0.kinesis, st1.kinesis, ms);
  const dynamo = perMinute(st0.dynamodb, st1.dynamodb, ms);
  const sum = (pick: (op: string, s: OpStats) => number) =>
    round(
      Object.entries(dynamo).reduce((acc, [op, s]) => acc + pick(op, s), 0),
      1,
    )!;
  const missing = await waitForAll(tracker, producer.expected(), 60_000);
  const exit = await proc.stop("SIGTERM", 60_000);
  return {
    ownedAllMs: ownedAt - proc.startedAt,
    cpuSecondsPerMinute: round(((s1.cpuSeconds - s0.cpuSeconds) * 60_000) / ms, 3)!,
    ...(th0 && th1 ? { cpuByThreadPerMinute: threadCpuDelta(th0, th1, 60_000 / ms) } : {}),
    rssMB: Math.round(rss / 2 ** 20),
    peakRssMB: Math.round(proc.peakRssBytes() / 2 ** 20),
    getRecordsPerMinute: kinesis.GetRecords?.requests ?? 0,
    missing: missing.count,
    exitCode: exit.forced ? null : exit.code,
    ...(Object.keys(dynamo).length > 0
      ? {
          dynamodb: {
            requestsPerMinute: sum((_, s) => s.requests),
            readUnitsPerMinute: sum((op, s) => (READS.has(op) ? s.units : 0)),
            writeUnitsPerMinute: sum((op, s) => (READS.has(op) ? 0 : s.units)),
            byOperation: dynamo,
          },
        }
      : {}),
  };
}

const threadText = (m: IdleMeasure) =>
  m.cpuByThreadPerMinute
    ? Object.entries(m.cpuByThreadPerMinute)
        .map(([g, s]) => `${g} ${s}`)
        .join(" ")
    : "threads n/a";

interface ScaleRun {
  shards: number;
  run: number;
  raw: IdleMeasure;
  kcl: IdleMeasure;
  cpuRatio: number;
  java: {
    requestsPerMinute: number;
    readUnitsPerMinute: number;
    writeUnitsPerMinute: number;
    scanUnits: number;
  };
}

/** Java KCL 2.x: every lease renewed every failover/3, one full Scan per worker every 2 × failover. */
function javaFormula(
  leases: number,
  scan: { units: number; requests: number },
  writeUnitsPerRenewal: number,
) {
  const renewals = (leases * 60_000) / (FAILOVER_MS / 3);
  const scans = 60_000 / (2 * FAILOVER_MS);
  return {
    requestsPerMinute: round(renewals + scans * scan.requests, 1)!,
    readUnitsPerMinute: round(scans * scan.units, 1)!,
    writeUnitsPerMinute: round(renewals * writeUnitsPerRenewal, 1)!,
    scanUnits: scan.units,
  };
}

async function oneRun(ctx: RunContext, shards: number, run: number, windowMs: number): Promise<ScaleRun> {
  const runDir = join(ctx.dir, `shards-${shards}-run-${run}`);
  const emu = await startEmulatorServer(runDir, { meterKinesis: true });
  const kinesis = kinesisClient(emu);
  const dynamodb = dynamoDbClient(emu);
  const stream = `bench-scale-${shards}`;
  const app = `bench-scale-${shards}-${run}`;
  try {
    await createStream(kinesis, stream, shards);
    const producer = startProducer(kinesis, stream, RATE);
    const base = { emu, stream, logDir: runDir };
    const measureRaw = () => {
      const dir = join(runDir, "raw");
      const proc = startRaw({ ...base, name: "raw", deliveriesDir: dir, idleTimeMs: IDLE_TIME_MS });
      return measure(proc, shards, emu, new DeliveryTracker(dir), producer, windowMs);
    };
    const measureKcl = () => {
      const dir = join(runDir, "kcl");
      const proc = startKcl({ ...base, name: "kcl", app, deliveriesDir: dir });
      return measure(proc, shards, emu, new DeliveryTracker(dir), producer, windowMs);
    };
    const rawFirst = run % 2 === 1;
    const raw = rawFirst ? await measureRaw() : undefined;
    const kcl = await measureKcl();
    const rawResult = raw ?? (await measureRaw());
    await producer.stop();
    const scan = await fullScanCost(dynamodb, app);
    const renew = kcl.dynamodb?.byOperation.UpdateItem;
    const writeUnitsPerRenewal = renew && renew.requests > 0 ? renew.units / renew.requests : 1;
    const result: ScaleRun = {
      shards,
      run,
      raw: rawResult,
      kcl,
      cpuRatio: round(kcl.cpuSecondsPerMinute / rawResult.cpuSecondsPerMinute, 3)!,
      java: javaFormula(scan.items, scan, writeUnitsPerRenewal),
    };
    ctx.log(
      `${shards} shards run ${run}: CPU s/min kcl ${kcl.cpuSecondsPerMinute} raw ${rawResult.cpuSecondsPerMinute} ` +
        `(×${result.cpuRatio}) [kcl ${threadText(kcl)} | raw ${threadText(rawResult)}], RSS ${kcl.rssMB} MB, DynamoDB ${kcl.dynamodb?.requestsPerMinute} req/min ` +
        `(Java formula ${result.java.requestsPerMinute}); missing kcl ${kcl.missing} raw ${rawResult.missing}`,
    );
    return result;
  } finally {
    kinesis.destroy();
    dynamodb.destroy();
    await emu.stop();
  }
}

export const scale: Scenario = {
  name: "scale",
  describe: `1 worker, 100 and 500 shards, ${RATE} records/s in total: idle CPU, RSS, DynamoDB load`,
  async run(ctx) {
    const shardCounts = ctx.options.shards ?? [100, 500];
    const windowMs = (ctx.options.windowSeconds ?? 60) * 1000;
    const all: ScaleRun[] = [];
    const targets: Target[] = [];
    const summary: string[] = [
      `${RATE} records/s in total, idle time ${IDLE_TIME_MS} ms, failover ${FAILOVER_MS} ms; warm-up ${WARMUP_MS / 1000} s, window ${windowMs / 1000} s; runs: ${ctx.runs} (median)`,
    ];
    const medianByShards: Record<string, number | null> = {};
    for (const shards of shardCounts) {
      const runs: ScaleRun[] = [];
      for (let run = 1; run <= ctx.runs; run++) runs.push(await oneRun(ctx, shards, run, windowMs));
      all.push(...runs);
      const flat = runs.map((r) => ({
        cpuRatio: r.cpuRatio,
        kclCpuPerMinute: r.kcl.cpuSecondsPerMinute,
        rawCpuPerMinute: r.raw.cpuSecondsPerMinute,
        kclRssMB: r.kcl.rssMB,
        kclPeakRssMB: r.kcl.peakRssMB,
        rawPeakRssMB: r.raw.peakRssMB,
        kclOwnedAllMs: r.kcl.ownedAllMs,
        kclGetRecordsPerMinute: r.kcl.getRecordsPerMinute,
        rawGetRecordsPerMinute: r.raw.getRecordsPerMinute,
        dynamoRequestsPerMinute: r.kcl.dynamodb?.requestsPerMinute ?? null,
        dynamoReadUnitsPerMinute: r.kcl.dynamodb?.readUnitsPerMinute ?? null,
        dynamoWriteUnitsPerMinute: r.kcl.dynamodb?.writeUnitsPerMinute ?? null,
        javaRequestsPerMinute: r.java.requestsPerMinute,
        javaReadUnitsPerMinute: r.java.readUnitsPerMinute,
        javaWriteUnitsPerMinute: r.java.writeUnitsPerMinute,
      }));
      const m = medians(flat, Object.keys(flat[0]!) as (keyof (typeof flat)[0])[]);
      for (const [k, v] of Object.entries(m)) medianByShards[`${k}@${shards}`] = v;
      const missing = runs.reduce((sum, r) => sum + r.kcl.missing + r.raw.missing, 0);
      targets.push(
        target(`CPU s/min ÷ raw loop @${shards} shards`, missing === 0 ? m.cpuRatio : null, "<=", 1.25, "×"),
      );
      if (shards === 500) targets.push(target("RSS @500 shards (peak)", m.kclPeakRssMB, "<=", 300, " MB"));
      const ops = runs[0]!.kcl.dynamodb?.byOperation ?? {};
      summary.push(
        `${shards} shards: CPU s/min kcl ${m.kclCpuPerMinute} vs raw ${m.rawCpuPerMinute} → ×${m.cpuRatio} (target ≤ 1.25); ` +
          `RSS ${m.kclRssMB} MB (peak ${m.kclPeakRssMB}, raw peak ${m.rawPeakRssMB}); all leases held ${m.kclOwnedAllMs} ms after start`,
        `  GetRecords/min kcl ${m.kclGetRecordsPerMinute} vs raw ${m.rawGetRecordsPerMinute}; missing ${missing}`,
        `  DynamoDB/min: ${m.dynamoRequestsPerMinute} requests, ${m.dynamoReadUnitsPerMinute} RCU, ${m.dynamoWriteUnitsPerMinute} WCU ` +
          `(Java KCL 2.x formula: ${m.javaRequestsPerMinute} requests, ${m.javaReadUnitsPerMinute} RCU, ${m.javaWriteUnitsPerMinute} WCU)`,
        `  by operation (run 1, per min): ${Object.entries(ops)
          .filter(([, s]) => s.requests > 0)
          .map(([op, s]) => `${op} ${s.requests} req/${s.units} u`)
          .join(", ")}`,
      );
    }
    const missing = all.reduce((sum, r) => sum + r.kcl.missing + r.raw.missing, 0);
    return {
      scenario: "scale",
      medians: {
        ...medianByShards,
        windowSeconds: windowMs / 1000,
        worstCpuRatio: Math.max(...all.map((r) => r.cpuRatio)),
      },
      targets,
      missing,
      perRun: all as unknown as Record<string, unknown>[],
      notes: [],
      summary,
    };
  },
};
