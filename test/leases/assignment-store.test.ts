// The assigner mode's store operations against dynalite (real SDK client over HTTP) and the memory store.
import { afterAll, beforeAll } from "bun:test";
import { systemClock } from "../../src/core/clock.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createDynamoLeaseStore } from "../../src/leases/dynamodb-store.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";
import { startTestAws, type TestAws, uniqueName } from "../support/aws.ts";
import { assignmentStoreContract } from "./assignment-store-contract.ts";

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => {
  await aws?.stop();
});

assignmentStoreContract("dynamodb (dynalite)", async () =>
  createDynamoLeaseStore({
    client: aws.dynamodb,
    table: uniqueName("assign"),
    target: { region: aws.region, endpoint: aws.dynamodbEndpoint },
    clock: systemClock,
    random: seededRandom(1),
  }),
);

assignmentStoreContract("memory", async () => new MemoryLeaseStore({ tableExists: false }));
assignmentStoreContract("memory (shared rows)", async () => new MemoryLeaseStore({ shareRows: true }));
