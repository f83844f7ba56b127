// The LeaseStore contract against DynamoDB (real SDK v3 client over HTTP to dynalite), plus the
// DynamoDB-only rules: exact Java attribute types, unknown attributes survive, typed errors.
import { describe, expect, test } from "bun:test";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { systemClock } from "../../src/core/clock.ts";
import { DependencyError } from "../../src/core/errors.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createDynamoLeaseStore } from "../../src/leases/dynamodb-store.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { leaseTableClientFor } from "../support/lease-table-client.ts";
import { leaseStoreContract } from "./store-contract.ts";

const aws = awsForSuite();

function storeFor(table: string) {
  return createDynamoLeaseStore({
    client: aws.leaseTable,
    table,
    target: { region: aws.region, endpoint: aws.dynamodbEndpoint },
    clock: systemClock,
    random: seededRandom(1),
  });
}

leaseStoreContract("dynamodb (dynalite)", async () => storeFor(uniqueName("leases")));

describe("DynamoDB lease store specifics", () => {
  test("items carry exactly the Java KCL attribute names and types; leaseOwner is REMOVEd", async () => {
    const table = uniqueName("leases");
    const store = storeFor(table);
    await store.ensureTable();
    await store.createLeaseIfNotExists(
      newLease("shardId-000000000002", {
        parentShardIds: ["shardId-000000000000", "shardId-000000000001"],
        hashKeyRange: { startingHashKey: "0", endingHashKey: "340282366920938463463374607431768211455" },
      }),
    );
    const taken = await store.takeLease((await store.getLease("shardId-000000000002"))!, "w1");
    if (!taken.ok) throw new Error("take failed");
    const raw = async () =>
      (
        await aws.dynamodb.send(
          new GetItemCommand({ TableName: table, Key: { leaseKey: { S: "shardId-000000000002" } } }),
        )
      ).Item!;
    expect(await raw()).toEqual({
      leaseKey: { S: "shardId-000000000002" },
      leaseOwner: { S: "w1" },
      leaseCounter: { N: "1" },
      checkpoint: { S: "TRIM_HORIZON" },
      checkpointSubSequenceNumber: { N: "0" },
      ownerSwitchesSinceCheckpoint: { N: "1" },
      parentShardId: { SS: ["shardId-000000000000", "shardId-000000000001"] },
      startingHashKey: { S: "0" },
      endingHashKey: { S: "340282366920938463463374607431768211455" },
      entityType: { S: "LEASE" },
    });
    await store.releaseLease(taken.value);
    const released = await raw();
    expect(released.leaseOwner).toBeUndefined();
    expect(released.leaseCounter).toEqual({ N: "2" });
  });

  test("updates touch only their attributes: unknown attributes written by other tools survive", async () => {
    const table = uniqueName("leases");
    const store = storeFor(table);
    await store.ensureTable();
    await aws.dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          leaseKey: { S: "s1" },
          leaseCounter: { N: "0" },
          checkpoint: { S: "LATEST" },
          checkpointSubSequenceNumber: { N: "0" },
          ownerSwitchesSinceCheckpoint: { N: "0" },
          pendingCheckpointState: { B: new Uint8Array([1, 2, 3]) },
          customTag: { S: "keep me" },
        },
      }),
    );
    let lease = (await store.getLease("s1"))!;
    for (const step of [
      () => store.takeLease(lease, "w1"),
      () => store.renewLease(lease),
      () => store.updateCheckpoint(lease, { checkpoint: { sequenceNumber: "42", subSequenceNumber: 0 } }),
      () => store.releaseLease(lease),
    ]) {
      const out = await step();
      if (!out.ok) throw new Error(`step failed: ${out.reason}`);
      lease = out.value;
    }
    await store.addChildShardIds("s1", ["c1"]);
    const item = (
      await aws.dynamodb.send(new GetItemCommand({ TableName: table, Key: { leaseKey: { S: "s1" } } }))
    ).Item!;
    expect(item.customTag).toEqual({ S: "keep me" });
    expect(item.pendingCheckpointState?.B).toEqual(new Uint8Array([1, 2, 3]));
    expect(item.checkpoint).toEqual({ S: "42" });
    expect(item.leaseCounter).toEqual({ N: "4" });
    expect(item.childShardIds).toEqual({ SS: ["c1"] });
  });

  test("a missing table names table, region and endpoint", async () => {
    const store = storeFor(uniqueName("absent"));
    const err = await store.listLeases().catch((e) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect(err.code).toBe("KCL_DEPENDENCY_MISSING");
    expect(err.message).toContain("absent");
    expect(err.message).toContain(aws.region);
    expect(err.message).toContain(aws.dynamodbEndpoint);
  });

  test("an unreachable endpoint is a retriable DependencyError naming the endpoint", async () => {
    const { client, target } = leaseTableClientFor("http://127.0.0.1:1", { maxAttempts: 1 });
    const store = createDynamoLeaseStore({
      client,
      table: "t-unreachable",
      target,
      clock: systemClock,
      random: seededRandom(1),
    });
    const err = await store.getLease("s1").catch((e) => e);
    client.destroy();
    expect(err).toBeInstanceOf(DependencyError);
    expect(err.code).toBe("KCL_DEPENDENCY_UNREACHABLE");
    expect(err.retriable).toBe(true);
    expect(err.message).toContain("http://127.0.0.1:1");
  });
});
