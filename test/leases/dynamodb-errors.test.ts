// The DynamoDB adapter's error mapping with the lease table client's real error objects: a loopback server
// answers lease-table calls as DynamoDB does on the wire (JSON 1.0 error body), the client
// (src/aws/dynamodb-http) turns them into DynamoDbServiceErrors named by the body's __type, and the lease
// store must surface the engine's typed errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDbServiceError } from "../../src/aws/json-protocol/errors.ts";
import { systemClock } from "../../src/core/clock.ts";
import { DependencyError, KclError, ThrottledError } from "../../src/core/errors.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createDynamoLeaseStore } from "../../src/leases/dynamodb-store.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { leaseTableClientFor } from "../support/lease-table-client.ts";

/** What the server answers next: an HTTP status and a DynamoDB error type. */
let answer = { status: 400, type: "ProvisionedThroughputExceededException" };
let requests = 0;
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      const body = JSON.stringify({
        __type: `com.amazonaws.dynamodb.v20120810#${answer.type}`,
        message: `injected ${answer.type}`,
      });
      res.writeHead(answer.status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "t" });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function store() {
  // One attempt: the client's own retries would only repeat the same answer.
  const { client, target } = leaseTableClientFor(endpoint, { maxAttempts: 1 });
  return createDynamoLeaseStore({
    client,
    table: "leases",
    target,
    clock: systemClock,
    random: seededRandom(1),
  });
}

/** The error a lease-store call rejects with while the server answers `type`. */
async function failure(type: string, call: "get" | "renew" | "list" = "get", status = 400) {
  answer = { status, type };
  const s = store();
  const lease = { ...newLease("shardId-000000000001"), leaseOwner: "w1", leaseCounter: 4 };
  const run =
    call === "get" ? s.getLease(lease.leaseKey) : call === "renew" ? s.renewLease(lease) : s.listLeases();
  return (await run.then(
    () => undefined,
    (e: unknown) => e,
  )) as Error & { cause?: unknown; context?: Record<string, unknown> };
}

describe("DynamoDB errors → typed lease-store errors", () => {
  test.each([
    ["ProvisionedThroughputExceededException"],
    ["RequestLimitExceeded"],
    ["ThrottlingException"],
  ] as const)("%s becomes a retriable ThrottledError naming the table", async (type) => {
    const before = requests;
    for (const call of ["get", "renew", "list"] as const) {
      const error = await failure(type, call);
      expect(error).toBeInstanceOf(ThrottledError);
      expect(error).toMatchObject({ name: "ThrottledError", code: "KCL_THROTTLED", retriable: true });
      expect(error.message).toContain(`lease table leases throttled (${type}:`);
      expect(error.context).toMatchObject({ table: "leases", region: "us-east-1", endpoint });
      // The cause is the client's error object, read from the wire.
      expect(error.cause).toBeInstanceOf(DynamoDbServiceError);
      expect((error.cause as { name: string }).name).toBe(type);
    }
    expect(requests).toBeGreaterThan(before);
  });

  test("ResourceNotFoundException becomes DependencyError(missing) with the remedy", async () => {
    const error = await failure("ResourceNotFoundException");
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ code: "KCL_DEPENDENCY_MISSING", retriable: false });
    expect(error.message).toContain("lease table leases does not exist");
    expect(error.cause).toBeInstanceOf(DynamoDbServiceError);
    expect((error.cause as Error).name).toBe("ResourceNotFoundException");
  });

  test("AccessDeniedException becomes DependencyError(credentials); a 500 becomes DependencyError(unreachable)", async () => {
    const denied = await failure("AccessDeniedException");
    expect(denied).toMatchObject({ name: "DependencyError", code: "KCL_CREDENTIALS" });
    const down = await failure("InternalServerError", "get", 500);
    expect(down).toMatchObject({
      name: "DependencyError",
      code: "KCL_DEPENDENCY_UNREACHABLE",
      retriable: true,
    });
    expect(down.cause).toBeInstanceOf(DynamoDbServiceError);
  });

  test("an error the engine cannot act on passes through unchanged (still the client's object)", async () => {
    const error = await failure("ValidationException");
    expect(error).not.toBeInstanceOf(KclError);
    expect(error).toBeInstanceOf(DynamoDbServiceError);
    expect(error.name).toBe("ValidationException");
  });
});
