// Integration helpers: worker processes on the emulators, a per-key-counting producer, the deliveries
// file, the lease table as plain rows, and the delivery checks every scenario shares.
import { expect } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { KclOptions } from "../../src/config/options.ts";
import { type Proc, startProcess } from "../support/processes.ts";
import { putRecords, scanTable, type TestAws, uniqueName, waitFor } from "../support/aws.ts";
import type { DeliveryLine } from "../support/worker-process.ts";

const SCRIPT = join(import.meta.dir, "../support/worker-process.ts");

/** Fast lease timing so failover scenarios finish in seconds (CPU is shared: not tighter than this). */
export const FAST: Partial<KclOptions> = {
  failoverMs: 3000,
  idleTimeMs: 200,
  checkpointIntervalMs: 500,
  shutdownTimeoutMs: 10_000,
  shardSyncMs: 2000,
  initialPosition: "TRIM_HORIZON",
};

export function deliveriesFile(): string {
  const file = join(tmpdir(), `${uniqueName("kcl-deliveries")}.jsonl`);
  writeFileSync(file, "");
  return file;
}

export function readDeliveries(file: string): DeliveryLine[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as DeliveryLine);
}

export interface WorkerSpec {
  aws: TestAws;
  name: string;
  app: string;
  stream: string;
  out: string;
  options?: Partial<KclOptions>;
  behaviour?: Record<string, unknown>;
}

export function startWorker(spec: WorkerSpec): Proc {
  return startProcess(spec.name, ["--no-install", SCRIPT], {
    env: {
      ...spec.aws.env,
      KCL_TEST_OPTIONS: JSON.stringify({
        app: spec.app,
        stream: spec.stream,
        workerId: spec.name,
        ...FAST,
        ...spec.options,
      }),
      KCL_TEST_OUT: spec.out,
      KCL_TEST_BEHAVIOUR: JSON.stringify(spec.behaviour ?? {}),
    },
  });
}

/** Engine events a worker process printed so far (its stdout JSON lines). */
export function eventsOf(proc: Proc): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of proc.lines) {
    try {
      out.push(JSON.parse(line));
    } catch {
      // not an event line
    }
  }
  return out;
}

export interface LeaseRow {
  leaseKey: string;
  leaseOwner?: string;
  checkpoint: string;
  parents: string[];
  /** Set while a graceful handoff is in flight (KCL 3.x). */
  checkpointOwner?: string;
}

export async function leaseRows(aws: TestAws, table: string): Promise<LeaseRow[]> {
  const items = await scanTable(aws.dynamodb, table).catch(() => []);
  return (
    items
      // Lease rows only: assigner mode (and KCL 3.x) keep worker and leader rows in the same table.
      .filter((i) => i.entityType?.S === undefined || i.entityType.S === "LEASE")
      .map((i) => ({
        leaseKey: i.leaseKey!.S!,
        leaseOwner: i.leaseOwner?.S,
        checkpoint: i.checkpoint?.S ?? "",
        parents: i.parentShardId?.SS ?? [],
        ...(i.checkpointOwner?.S ? { checkpointOwner: i.checkpointOwner.S } : {}),
      }))
      .sort((a, b) => a.leaseKey.localeCompare(b.leaseKey))
  );
}

/** Open (unfinished) leases per owner. */
export function ownerCounts(rows: LeaseRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) {
    if (r.checkpoint === "SHARD_END") continue;
    const owner = r.leaseOwner ?? "-";
    counts[owner] = (counts[owner] ?? 0) + 1;
  }
  return counts;
}

/** Open leases per owner once no handoff is in flight (undefined while one is). */
export function settledOwnerCounts(rows: LeaseRow[]): Record<string, number> | undefined {
  return rows.some((r) => r.checkpointOwner !== undefined) ? undefined : ownerCounts(rows);
}

export interface OwnerWait {
  timeoutMs: number;
  /** Only count while no handoff is in flight (a handoff names the next owner before it owns). */
  settled?: boolean;
}

/** Waits until `ok` holds for the open leases per owner in `table`. */
export function waitOwners(
  aws: TestAws,
  table: string,
  what: string,
  ok: (counts: Record<string, number>) => boolean,
  o: OwnerWait,
): Promise<true> {
  return waitFor(
    what,
    async () => {
      const rows = await leaseRows(aws, table);
      const counts = o.settled ? settledOwnerCounts(rows) : ownerCounts(rows);
      return counts !== undefined && ok(counts);
    },
    o.timeoutMs,
    200,
  );
}

/** Waits until lease ownership in `table` has not changed for `ms` (longer than two renew intervals). */
export async function waitStable(aws: TestAws, table: string, ms: number, timeoutMs: number): Promise<void> {
  let last = "";
  let since = performance.now();
  await waitFor(
    `lease ownership stable for ${ms} ms`,
    async () => {
      const now = JSON.stringify((await leaseRows(aws, table)).map((r) => [r.leaseKey, r.leaseOwner]));
      if (now !== last) {
        last = now;
        since = performance.now();
      }
      return performance.now() - since >= ms;
    },
    timeoutMs,
    200,
  );
}

/** Puts `key:n` records (per-key counters) in small batches until stopped. */
export function startProducer(
  kinesis: KinesisClient,
  stream: string,
  keys = 16,
  perBatch = 20,
  everyMs = 100,
) {
  const counters = new Map<string, number>();
  const put: string[] = [];
  let running = true;
  let total = 0;
  const loop = (async () => {
    while (running) {
      const batch = Array.from({ length: perBatch }, () => {
        const key = `k${total++ % keys}`;
        const n = counters.get(key) ?? 0;
        counters.set(key, n + 1);
        return { partitionKey: key, data: `${key}:${n}` };
      });
      await putRecords(kinesis, stream, batch);
      put.push(...batch.map((b) => b.data));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    put,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** At-least-once and per-key order of first deliveries (data is `key:n`, n counting from 0 per key). */
export function checkDelivered(put: readonly string[], deliveries: readonly DeliveryLine[]): void {
  const seen = new Set<string>();
  const next = new Map<string, number>();
  for (const d of deliveries) {
    if (seen.has(d.d)) continue;
    seen.add(d.d);
    const [key, n] = d.d.split(":") as [string, string];
    const expected = next.get(key) ?? 0;
    if (Number(n) !== expected) {
      throw new Error(
        `key ${key}: first delivery of #${n} while #${expected} was expected next (order broken or skipped) — by ${d.w} from ${d.s}`,
      );
    }
    next.set(key, expected + 1);
  }
  const missing = put.filter((p) => !seen.has(p));
  if (missing.length > 0)
    throw new Error(`${missing.length} records never delivered, e.g. ${missing.slice(0, 3).join(", ")}`);
}

/** Deliveries of a record that had been delivered before. */
export function duplicateDeliveries(deliveries: readonly DeliveryLine[]): DeliveryLine[] {
  const seen = new Set<string>();
  return deliveries.filter((d) => {
    const dup = seen.has(d.d);
    seen.add(d.d);
    return dup;
  });
}

function numeric(checkpoint: string): bigint {
  if (checkpoint === "SHARD_END") return 2n ** 200n;
  return /^\d+$/.test(checkpoint) ? BigInt(checkpoint) : -1n;
}

/**
 * "Duplicates only after the last checkpoint": every shard ownership must start from (at least) the
 * newest checkpoint any worker had written for that shard before it started. (A SIGKILLed worker may
 * not have printed its very last checkpoint: that only makes this check more lenient, never wrong.)
 */
export function checkStartsFromLastCheckpoint(procs: Proc[]): number {
  const written: { shardId: string; seq: bigint; at: number }[] = [];
  const starts: { worker: string; shardId: string; seq: bigint; at: number }[] = [];
  for (const p of procs) {
    for (const e of eventsOf(p)) {
      if (e.type === "checkpoint-written") {
        written.push({
          shardId: e.shardId as string,
          seq: numeric(e.sequenceNumber as string),
          at: e.at as number,
        });
      } else if (e.type === "initialize") {
        starts.push({
          worker: p.name,
          shardId: e.shardId as string,
          seq: numeric(e.checkpoint as string),
          at: e.at as number,
        });
      }
    }
  }
  for (const s of starts) {
    const before = written.filter((w) => w.shardId === s.shardId && w.at < s.at);
    const newest = before.reduce((m, w) => (w.seq > m ? w.seq : m), -1n);
    if (s.seq < newest) {
      throw new Error(
        `${s.worker} started ${s.shardId} at ${s.seq}, behind the checkpoint ${newest} written before it`,
      );
    }
  }
  return starts.length;
}

/** Duplicates may only come from shards that changed hands (initialized more than once). */
export function checkDuplicatesOnlyOnMovedShards(procs: Proc[], deliveries: readonly DeliveryLine[]): void {
  const inits = new Map<string, number>();
  for (const p of procs) {
    for (const e of eventsOf(p)) {
      if (e.type === "initialize") inits.set(e.shardId as string, (inits.get(e.shardId as string) ?? 0) + 1);
    }
  }
  for (const d of duplicateDeliveries(deliveries)) {
    if ((inits.get(d.s) ?? 0) < 2)
      throw new Error(`record ${d.d} of ${d.s} delivered twice although the shard never moved`);
  }
}

/** The repository root: `kcl-ts consume` runs from here (its plugins/ path is relative to it). */
export const REPO_ROOT = join(import.meta.dir, "..", "..");

/**
 * argv for `bun` running `kcl-ts consume` from source on `stream` as `app`, with the print-records plugin,
 * JSON output, a 3 s failover and TRIM_HORIZON; `extra` flags follow.
 */
export function consumeArgv(stream: string, app: string, ...extra: string[]): string[] {
  return [
    join(REPO_ROOT, "cli", "main.ts"),
    "consume",
    "--plugin",
    "plugins/print-records.ts",
    "--output",
    "json",
    "--stream",
    stream,
    "--app",
    app,
    "--failover-ms",
    "3000",
    "--initial-position",
    "TRIM_HORIZON",
    ...extra,
  ];
}

/** Every put record delivered (waits for them), none twice. Returns the deliveries. */
export async function expectEveryRecordOnce(
  producer: { stop(): Promise<void>; put: readonly string[] },
  out: string,
  timeoutMs: number,
): Promise<DeliveryLine[]> {
  await producer.stop();
  await waitFor(
    "every record delivered",
    () => new Set(readDeliveries(out).map((d) => d.d)).size >= producer.put.length,
    timeoutMs,
    200,
  );
  const deliveries = readDeliveries(out);
  checkDelivered(producer.put, deliveries);
  expect(duplicateDeliveries(deliveries)).toEqual([]);
  return deliveries;
}

export { uniqueName };
