// The assigner mode's store operations against dynalite (real SDK client over HTTP) and the memory store.
import { describe, expect, test } from "bun:test";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { systemClock } from "../../src/core/clock.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createDynamoLeaseStore } from "../../src/leases/dynamodb-store.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";
import { uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { assignmentStoreContract } from "./assignment-store-contract.ts";

const aws = awsForSuite();

assignmentStoreContract("dynamodb (dynalite)", async () =>
  createDynamoLeaseStore({
    client: aws.leaseTable,
    table: uniqueName("assign"),
    target: { region: aws.region, endpoint: aws.dynamodbEndpoint },
    clock: systemClock,
    random: seededRandom(1),
  }),
);

assignmentStoreContract("memory", async () => new MemoryLeaseStore({ tableExists: false }));
assignmentStoreContract("memory (shared rows)", async () => new MemoryLeaseStore({ shareRows: true }));

describe("a KCL 3.x table is used, not damaged (dynalite)", () => {
  test("3.x worker-metrics and leader rows: parsed, and kcl-ts writes keep every attribute it does not own", async () => {
    const table = uniqueName("kcl3");
    const store = createDynamoLeaseStore({
      client: aws.leaseTable,
      table,
      target: { region: aws.region, endpoint: aws.dynamodbEndpoint },
      clock: systemClock,
      random: seededRandom(1),
    });
    await store.ensureOwnerIndex();
    // Rows as the Java KCL 3.x writes them (java-kcl-reference.md §1.5, §2.8).
    const metrics = {
      leaseKey: { S: "java-worker-1" },
      entityType: { S: "WORKER_METRIC_STATS" },
      lut: { N: "1767225600" },
      sts: { M: { C: { L: [{ N: "12.5" }, { N: "-1" }] } } },
      opr: { M: { C: { L: [{ N: "100" }] } } },
      sup: { N: "1" },
    };
    const leader = {
      leaseKey: { S: "Leader" },
      entityType: { S: "LEADER" },
      ownerName: { S: "java-worker-1" },
      leaseDuration: { S: "120000" },
      recordVersionNumber: { S: "0f0e-uuid" },
      data: { B: new Uint8Array([1, 2]) },
      isReleased: { BOOL: false },
    };
    await aws.dynamodb.send(new PutItemCommand({ TableName: table, Item: metrics }));
    await aws.dynamodb.send(new PutItemCommand({ TableName: table, Item: leader }));
    const snap = await store.scanTable();
    expect(snap.workers).toEqual([{ workerId: "java-worker-1", lut: 1767225600 }]);
    expect(snap.leader).toEqual({
      ownerName: "java-worker-1",
      leaseDuration: 120_000,
      recordVersionNumber: "0f0e-uuid",
    });
    expect(await store.listLeases()).toEqual([]);
    // A claim (after the 3.x leader went silent) and a worker row of the same id keep the rest.
    expect(
      await store.writeLeader(snap.leader, {
        ownerName: "kcl-ts-1",
        leaseDuration: 10_000,
        recordVersionNumber: "r1",
      }),
    ).toBe(true);
    await store.writeWorkerRow({ workerId: "java-worker-1", lut: 1767225700 });
    const get = async (key: string) =>
      (await aws.dynamodb.send(new GetItemCommand({ TableName: table, Key: { leaseKey: { S: key } } })))
        .Item!;
    const l = await get("Leader");
    expect([l.data?.B?.length, l.isReleased?.BOOL, l.ownerName?.S, l.leaseDuration?.S]).toEqual([
      2,
      false,
      "kcl-ts-1",
      "10000",
    ]);
    const m = await get("java-worker-1");
    expect(m.sts).toEqual(metrics.sts);
    expect(m.opr).toEqual(metrics.opr);
    expect(m.sup).toEqual(metrics.sup);
    expect(m.lut).toEqual({ N: "1767225700" });
  });
});
