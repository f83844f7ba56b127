// Mixed lease-assignment modes end to end (kinesalite + dynalite, real processes): an assigner-mode
// worker runs while a producer writes; `kcl-ts consume` in the default taker mode is then started on the
// same application. It must take nothing, exit 2 with a message naming the table and the flag, and the
// assigner's shards lose and duplicate no record.
import { describe, expect, test } from "bun:test";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { OWNER_INDEX } from "../../src/leases/assignment-store.ts";
import { createStream, scanTable, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { startProcess } from "../support/processes.ts";
import {
  consumeArgv,
  deliveriesFile,
  expectEveryRecordOnce,
  leaseRows,
  REPO_ROOT,
  readDeliveries,
  startProducer,
  startWorker,
  waitOwners,
} from "./support.ts";

/** Generous: two busy cores, several bun processes and both emulators share them. */
const WAIT = 60_000;

const aws = awsForSuite();

async function leaderOf(table: string): Promise<string | undefined> {
  const items = await scanTable(aws.dynamodb, table).catch(() => []);
  return items.find((i) => i.entityType?.S === "LEADER")?.ownerName?.S;
}

describe("mixed lease-assignment modes (processes)", () => {
  test("a taker-mode `kcl-ts consume` beside a live assigner takes nothing and exits 2; nothing lost or duplicated", async () => {
    const stream = uniqueName("mixed");
    const app = uniqueName("mixed-app");
    await createStream(aws.kinesis, stream, 2);
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream);
    const a = startWorker({ aws, name: "A", app, stream, out, options: { leaseAssignment: "assigner" } });
    await waitOwners(aws, app, "A owns 2", (c) => c.A === 2, { timeoutMs: WAIT, settled: true });
    expect(await leaderOf(app)).toBe("A");
    const ownersBefore = new Map((await leaseRows(aws, app)).map((r) => [r.leaseKey, r.leaseOwner]));

    // The CLI as an operator runs it during a rolling deploy that forgot the flag (taker is the default).
    const taker = startProcess("taker", consumeArgv(stream, app, "--worker-id", "T"), {
      cwd: REPO_ROOT,
      env: aws.env,
    });
    let code: number | null | undefined;
    void taker.exited.then((e) => {
      code = e.code;
    });
    await waitFor("the taker-mode worker exits", () => code !== undefined, WAIT, 200);
    const err = taker.stderr();
    expect(code).toBe(2);
    expect(err).toContain(`lease table ${app} is coordinated by a live lease assigner`);
    expect(err).toContain("held by A");
    expect(err).toContain("--lease-assignment assigner");
    // It took, stole and asked for nothing.
    const takerEvents = taker.lines.filter((l) =>
      /"type":"lease-(acquired|stolen|handoff-initiated)"/.test(l),
    );
    expect(takerEvents).toEqual([]);
    const rows = await leaseRows(aws, app);
    expect(rows.every((r) => r.leaseOwner === "A")).toBe(true);
    expect(new Map(rows.map((r) => [r.leaseKey, r.leaseOwner]))).toEqual(ownersBefore);

    await expectEveryRecordOnce(producer, out, WAIT);
    expect(readDeliveries(out).every((d) => d.w === "A")).toBe(true);
    a.signal("SIGTERM");
    expect((await a.exited).code).toBe(0);
  }, 180_000);

  test("an assigner started beside a running taker-mode worker: the taker stops gracefully with the refusal; its shards move, nothing lost or duplicated", async () => {
    const stream = uniqueName("mixed-late");
    const app = uniqueName("mixed-late-app");
    await createStream(aws.kinesis, stream, 2);
    // A table with the 3.x owner index (one an assigner fleet or Java 3.x used before): dynalite ignores
    // an index added later by UpdateTable, so the assigner could not start on a taker-made table here.
    await aws.dynamodb.send(
      new CreateTableCommand({
        TableName: app,
        KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }],
        AttributeDefinitions: [
          { AttributeName: "leaseKey", AttributeType: "S" },
          { AttributeName: "leaseOwner", AttributeType: "S" },
        ],
        BillingMode: "PAY_PER_REQUEST",
        GlobalSecondaryIndexes: [
          {
            IndexName: OWNER_INDEX,
            KeySchema: [
              { AttributeName: "leaseOwner", KeyType: "HASH" },
              { AttributeName: "leaseKey", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "KEYS_ONLY" },
          },
        ],
      }),
    );
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream);
    const t = startWorker({ aws, name: "T", app, stream, out });
    await waitOwners(aws, app, "T owns 2", (c) => c.T === 2, { timeoutMs: WAIT, settled: true });
    await waitFor("T delivers", () => readDeliveries(out).some((d) => d.w === "T"), WAIT, 200);
    const a = startWorker({ aws, name: "A", app, stream, out, options: { leaseAssignment: "assigner" } });
    let exited: { code: number | null } | undefined;
    void t.exited.then((e) => {
      exited = e;
    });
    await waitFor("the taker-mode worker stops", () => exited !== undefined, WAIT, 200);
    // The harness prints the error the worker stopped with (the CLI maps it to exit 2: test above).
    expect(t.stderr()).toContain(
      `ConfigurationError: lease table ${app} is coordinated by a live lease assigner`,
    );
    expect(t.stderr()).toContain("held by A");
    await waitOwners(aws, app, "A owns 2", (c) => c.A === 2 && c.T === undefined, {
      timeoutMs: WAIT,
      settled: true,
    });
    await expectEveryRecordOnce(producer, out, WAIT);
    a.signal("SIGTERM");
    expect((await a.exited).code).toBe(0);
  }, 180_000);
});
