// Planned moves are exact and LATEST has no gap, end to end: worker processes (real SDK v3 clients) on
// kinesalite + dynalite while a producer keeps writing. A worker joins 8 shards → 4/4; 3 workers are
// restarted one by one with new ids; a LATEST owner is SIGKILLed right after its first deliveries.
import { describe, expect, test } from "bun:test";
import { createStream, scanTable, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import type { Proc } from "../support/processes.ts";
import type { DeliveryLine } from "../support/worker-process.ts";
import {
  checkDelivered,
  deliveriesFile,
  duplicateDeliveries,
  readDeliveries,
  startProducer,
  startWorker,
  uniqueName,
  waitOwners as waitOwnersIn,
} from "./support.ts";

const aws = awsForSuite();

/** Generous: two busy cores, several bun processes and both emulators share them. */
const WAIT = 45_000;

const waitOwners = (app: string, what: string, ok: (c: Record<string, number>) => boolean) =>
  waitOwnersIn(aws, app, what, ok, { timeoutMs: WAIT, settled: true });

const distinct = (out: string) => new Set(readDeliveries(out).map((d) => d.d)).size;

/** Longest time (ms) a shard went without a delivery between `from` and `to` (wall ms), per shard. */
function gaps(deliveries: readonly DeliveryLine[], from: number, to: number): Record<string, number> {
  const byShard = new Map<string, number[]>();
  for (const d of deliveries) byShard.set(d.s, [...(byShard.get(d.s) ?? []), d.t]);
  const out: Record<string, number> = {};
  for (const [shard, times] of byShard) {
    const inside = [from, ...times.filter((t) => t > from && t < to).sort((a, b) => a - b), to];
    let max = 0;
    for (let i = 1; i < inside.length; i++) max = Math.max(max, inside[i]! - inside[i - 1]!);
    out[shard] = max;
  }
  return out;
}

async function stopAll(procs: Proc[]) {
  for (const p of procs) p.signal("SIGTERM");
  for (const p of procs) expect((await p.exited).code).toBe(0);
}

describe("planned moves and LATEST (worker processes)", () => {
  test("8 shards: a second worker joins → 4/4; no record twice, none missing", async () => {
    const stream = uniqueName("join");
    const app = uniqueName("join-app");
    await createStream(aws.kinesis, stream, 8);
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream);
    const a = startWorker({ aws, name: "A", app, stream, out });
    await waitOwners(app, "A owns 8", (c) => c.A === 8);
    await waitFor("A delivers", () => distinct(out) > 200, WAIT, 200);
    const b = startWorker({ aws, name: "B", app, stream, out });
    await waitOwners(app, "4/4", (c) => c.A === 4 && c.B === 4);
    await new Promise((r) => setTimeout(r, 1000));
    await producer.stop();
    await waitFor("every record delivered", () => distinct(out) >= producer.put.length, WAIT, 200);
    const deliveries = readDeliveries(out);
    checkDelivered(producer.put, deliveries);
    expect(duplicateDeliveries(deliveries)).toEqual([]);
    expect(new Set(deliveries.filter((d) => d.w === "B").map((d) => d.s)).size).toBe(4);
    await stopAll([a, b]);
  }, 120_000);

  test("3 workers restarted one by one with new ids under load: no record twice, none missing, gaps measured", async () => {
    const stream = uniqueName("roll");
    const app = uniqueName("roll-app");
    await createStream(aws.kinesis, stream, 6);
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream);
    let procs = ["A", "B", "C"].map((name) => startWorker({ aws, name, app, stream, out }));
    const even = (c: Record<string, number>) =>
      Object.keys(c).length === 3 && Object.values(c).every((n) => n === 2);
    await waitOwners(app, "2/2/2", even);
    await waitFor(
      "all 6 shards deliver",
      () => new Set(readDeliveries(out).map((d) => d.s)).size === 6,
      WAIT,
      200,
    );
    const rollFrom = Date.now();
    for (const [i, old] of [...procs].entries()) {
      // As a deploy tool does it: the old process is told to stop and its replacement starts at once.
      old.signal("SIGTERM");
      const next = startWorker({ aws, name: `N${i}`, app, stream, out });
      expect((await old.exited).code).toBe(0);
      procs = [...procs.filter((p) => p !== old), next];
      await waitOwners(app, `2/2/2 after replacing ${old.name}`, (c) => even(c) && c[old.name] === undefined);
    }
    const rollTo = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    await producer.stop();
    await waitFor("every record delivered", () => distinct(out) >= producer.put.length, WAIT, 200);
    const deliveries = readDeliveries(out);
    checkDelivered(producer.put, deliveries);
    expect(duplicateDeliveries(deliveries)).toEqual([]);
    // Data, not a speed test: printed for the README; the assertion only catches a shard left idle.
    const measured = gaps(deliveries, rollFrom, rollTo);
    console.log(`rolling restart: longest delivery gap per shard (ms) ${JSON.stringify(measured)}`);
    for (const gap of Object.values(measured)) expect(gap).toBeLessThan(15_000);
    await stopAll(procs);
  }, 180_000);

  test("--initial-position LATEST: the owner is SIGKILLed right after its first deliveries → every record written after start is delivered", async () => {
    const stream = uniqueName("latest");
    const app = uniqueName("latest-app");
    await createStream(aws.kinesis, stream, 4);
    const out = deliveriesFile();
    // Manual mode, never checkpointed: every lease stays at LATEST, the case that used to lose records.
    const options = { initialPosition: "LATEST" as const, checkpoint: "manual" as const };
    const a = startWorker({ aws, name: "A", app, stream, out, options });
    await waitFor(
      "A recorded the start of all 4 leases",
      async () => {
        const items = await scanTable(aws.dynamodb, app).catch(() => []);
        return items.length === 4 && items.every((i) => i.resolvedStartMillis?.N !== undefined);
      },
      WAIT,
      200,
    );
    await new Promise((r) => setTimeout(r, 1000)); // A's LATEST iterators are open
    const producer = startProducer(aws.kinesis, stream);
    await waitFor("A's first deliveries", () => readDeliveries(out).length > 0, WAIT, 50);
    await a.kill();
    const b = startWorker({ aws, name: "B", app, stream, out, options });
    await waitFor("B delivers", () => readDeliveries(out).some((d) => d.w === "B"), WAIT, 200);
    await new Promise((r) => setTimeout(r, 2000));
    await producer.stop();
    await waitFor("every record delivered", () => distinct(out) >= producer.put.length, WAIT, 200);
    checkDelivered(producer.put, readDeliveries(out));
    await stopAll([b]);
  }, 120_000);
});
