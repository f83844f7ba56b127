// `leases drain` against dynalite + kinesalite with two in-process workers under a steady producer:
// the drained worker ends with zero leases (graceful release: final checkpoint first, so zero
// duplicates), takes none afterwards, shows "draining"; the other worker holds all; no record missing.
import { describe, expect, test } from "bun:test";
import { type LeasesDrainArgs, runLeasesDrain } from "../../cli/commands/leases-drain.ts";
import { foldStatus } from "../../src/status/index.ts";
import { createStream, putRecords, scanTable, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { startRecordingWorker, textSink } from "./support/recording-worker.ts";

const aws = awsForSuite();

const WAIT = 45_000;
async function drain(args: LeasesDrainArgs) {
  const stdout = textSink();
  const stderr = textSink();
  const code = await runLeasesDrain(
    { dynamodbEndpoint: aws.dynamodbEndpoint, ...args },
    { stdout, stderr, env: aws.env },
  );
  return { code, out: stdout.text(), err: stderr.text() };
}

async function owners(app: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const row of await scanTable(aws.dynamodb, app)) {
    if (row.entityType?.S && row.entityType.S !== "LEASE") continue;
    const owner = row.leaseOwner?.S ?? "-";
    out[owner] = (out[owner] ?? 0) + 1;
  }
  return out;
}

describe("leases drain", () => {
  test("the drained worker hands every lease over and takes none; the other holds all; zero duplicates", async () => {
    const stream = uniqueName("drain");
    await createStream(aws.kinesis, stream, 4);
    const app = uniqueName("app");
    // No balancing steal before the drain (a steal re-delivers records; that is issue 13's subject, not
    // drain's): worker-a takes at most 2, worker-b starts after it and takes the 2 left.
    const a = startRecordingWorker(aws, {
      app,
      stream,
      workerId: "worker-a",
      extra: { maxLeasesForWorker: 2 },
    });
    const b = startRecordingWorker(aws, { app, stream, workerId: "worker-b" });
    const all = () => [...a.delivered, ...b.delivered].map((d) => d.data);
    let produced = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        const batch = Array.from({ length: 8 }, (_, i) => ({
          partitionKey: `pk${produced + i}`,
          data: `r${produced + i}`,
        }));
        await putRecords(aws.kinesis, stream, batch);
        produced += batch.length;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await a.worker.start();
    try {
      await waitFor("worker-a holds 2", async () => (await owners(app))["worker-a"] === 2, WAIT, 200);
      await b.worker.start();
      await waitFor(
        "2/2",
        async () => {
          const o = await owners(app);
          return o["worker-a"] === 2 && o["worker-b"] === 2;
        },
        WAIT,
        200,
      );
      const requested = await drain({ app, worker: "worker-a", waitMs: 30_000 });
      expect(requested.err).toBe("");
      expect(requested.code).toBe(0);
      expect(requested.out).toContain("drain requested for worker worker-a");
      expect(requested.out).toContain("worker worker-a holds no leases now.");
      await waitFor("worker-b holds all 4", async () => (await owners(app))["worker-b"] === 4, WAIT, 200);
      await new Promise((r) => setTimeout(r, 1000));
      producing = false;
      await producer;
      await waitFor("every record delivered", () => new Set(all()).size === produced, WAIT, 100);
      // worker-a stays up, idle: it never took a lease again (several taker rounds have passed).
      expect(await owners(app)).toEqual({ "worker-b": 4 });
      const drainedAt = a.events.findIndex((e) => e.type === "worker-draining");
      expect(drainedAt).toBeGreaterThan(-1);
      expect(a.events.slice(drainedAt).some((e) => e.type === "lease-acquired")).toBe(false);
      expect(a.events.find((e) => e.type === "worker-drained")).toMatchObject({ released: 2 });
      const status = foldStatus(
        a.events,
        { workerId: "worker-a", app, stream, failoverMs: 3000 },
        Date.now(),
      );
      expect(status.header.phase).toBe("draining");
      expect(status.leases).toEqual([]);
      expect(all().length - new Set(all()).size).toBe(0);
    } finally {
      producing = false;
      await producer;
      await Promise.all([a.worker.stop(), b.worker.stop()]);
    }
  }, 90_000);

  test("a restarted worker with the same id is no longer drained; --cancel removes a request; usage errors exit 2", async () => {
    const stream = uniqueName("drain2");
    await createStream(aws.kinesis, stream, 1);
    const app = uniqueName("app");
    const first = startRecordingWorker(aws, { app, stream, workerId: "worker-c" });
    await first.worker.start();
    await waitFor("worker-c holds the lease", async () => (await owners(app))["worker-c"] === 1, WAIT, 200);
    expect((await drain({ app, worker: "worker-c", waitMs: 30_000 })).code).toBe(0);
    await first.worker.stop();
    const again = startRecordingWorker(aws, { app, stream, workerId: "worker-c" });
    await again.worker.start();
    try {
      await waitFor(
        "the restarted worker-c takes the lease",
        async () => (await owners(app))["worker-c"] === 1,
        WAIT,
        200,
      );
      const rows = await scanTable(aws.dynamodb, app);
      expect(rows.some((r) => r.entityType?.S === "KCL_TS_DRAIN")).toBe(false);
    } finally {
      await again.worker.stop();
    }
    expect((await drain({ app, worker: "worker-x" })).code).toBe(0);
    expect((await scanTable(aws.dynamodb, app)).some((r) => r.leaseKey?.S === "kcl-ts:drain:worker-x")).toBe(
      true,
    );
    const cancelled = await drain({ app, worker: "worker-x", cancel: true });
    expect(cancelled.code).toBe(0);
    expect((await scanTable(aws.dynamodb, app)).some((r) => r.leaseKey?.S === "kcl-ts:drain:worker-x")).toBe(
      false,
    );
    const noWorker = await drain({ app });
    expect(noWorker.code).toBe(2);
    expect(noWorker.err).toContain("leases drain needs --worker <id>");
    const noTable = await drain({ worker: "w" });
    expect(noTable.code).toBe(2);
  }, 90_000);
});
