// kcl-ts's JSON-protocol client (src/aws/json-protocol), as the lease table uses it (src/aws/dynamodb-http): its SigV4 signatures equal the SDK
// signer's for the same request, and it retries, times out, corrects clock skew and reports errors as
// the SDK's standard client does — against a loopback server that answers as DynamoDB does on the wire.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { DynamoDbHttpClient } from "../../src/aws/dynamodb-http/client.ts";
import { DYNAMODB, KINESIS, regionalEndpoint } from "../../src/aws/json-protocol/client.ts";
import { GetItemCommand, UpdateItemCommand } from "../../src/aws/dynamodb-http/commands.ts";
import { profileRegion } from "../../src/aws/json-protocol/credentials.ts";
import { DynamoDbServiceError } from "../../src/aws/json-protocol/errors.ts";
import { amzDate, signRequest } from "../../src/aws/json-protocol/sigv4.ts";
import { systemClock } from "../../src/core/clock.ts";
import { waitFor } from "../support/aws.ts";

const asKey = (k: Uint8Array | string | ArrayBuffer | ArrayBufferView) =>
  typeof k === "string"
    ? k
    : ArrayBuffer.isView(k)
      ? Buffer.from(k.buffer, k.byteOffset, k.byteLength)
      : Buffer.from(k);

/** node:crypto as the SDK signer's hash (its Checksum interface). */
class NodeSha256 {
  private h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(private readonly secret?: Uint8Array | string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash("sha256") : createHmac("sha256", asKey(secret));
  }
  update(data: Uint8Array | string | ArrayBuffer | ArrayBufferView) {
    this.h.update(asKey(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {
    this.h = this.secret === undefined ? createHash("sha256") : createHmac("sha256", asKey(this.secret));
  }
}

const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};

describe("SigV4", () => {
  test.each([
    ["long-term credentials", CREDENTIALS],
    [
      "temporary credentials (session token signed)",
      { ...CREDENTIALS, sessionToken: "FwoGZXIvYXdzEXAMPLE//token=" },
    ],
  ])("equals the SDK signer's signature: %s", async (_label, credentials) => {
    const at = Date.UTC(2026, 10, 27, 21, 30, 5);
    const body = JSON.stringify({ TableName: "billing", Key: { leaseKey: { S: "shardId-000000000001" } } });
    const headers = {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "DynamoDB_20120810.GetItem",
    };
    const ours = signRequest({
      credentials,
      region: "eu-west-1",
      service: "dynamodb",
      host: "dynamodb.eu-west-1.amazonaws.com",
      headers,
      body,
      at,
    });
    const sdk = new SignatureV4({
      credentials,
      region: "eu-west-1",
      service: "dynamodb",
      sha256: NodeSha256,
    });
    const signed = await sdk.sign(
      {
        method: "POST",
        protocol: "https:",
        hostname: "dynamodb.eu-west-1.amazonaws.com",
        path: "/",
        query: {},
        headers: { ...headers, host: "dynamodb.eu-west-1.amazonaws.com" },
        body,
      },
      { signingDate: new Date(at) },
    );
    expect(ours["x-amz-date"]).toBe("20261127T213005Z");
    expect(ours.authorization).toBe(signed.headers.authorization!);
    expect(ours["x-amz-security-token"]).toBe(signed.headers["x-amz-security-token"]);
  });

  test("amzDate is the basic ISO 8601 form in UTC", () => {
    expect(amzDate(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe("20260102T030405Z");
  });
});

/** What the loopback server answers, in order; after the list, 200 {}. */
type Reply = { status: number; body?: unknown; date?: string; hang?: boolean };
let replies: Reply[] = [];
let seen: { target: string; date: string; auth: string; body: string }[] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        target: String(req.headers["x-amz-target"]),
        date: String(req.headers["x-amz-date"]),
        auth: String(req.headers.authorization),
        body: Buffer.concat(chunks).toString(),
      });
      const reply = replies.shift() ?? { status: 200, body: {} };
      if (reply.hang) return;
      res.writeHead(reply.status, {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": `req-${seen.length}`,
        ...(reply.date ? { date: reply.date } : {}),
      });
      res.end(JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
afterEach(() => {
  replies = [];
  seen = [];
});

const clients: DynamoDbHttpClient[] = [];
afterAll(() => {
  for (const c of clients) c.destroy();
});
function client(o: Partial<ConstructorParameters<typeof DynamoDbHttpClient>[0]> = {}) {
  const c = new DynamoDbHttpClient({
    region: "us-east-1",
    endpoint,
    credentials: CREDENTIALS,
    clock: systemClock,
    random: { next: () => 0 }, // no backoff wait
    ...o,
  });
  clients.push(c);
  return c;
}
const dynamoError = (type: string, extra: object = {}) => ({
  __type: `com.amazonaws.dynamodb.v20120810#${type}`,
  message: `injected ${type}`,
  ...extra,
});
/** The error a call that must fail failed with. */
async function failure<E = Error & { code?: string }>(call: Promise<unknown>): Promise<E> {
  try {
    await call;
  } catch (e) {
    return e as E;
  }
  throw new Error("expected the call to fail");
}
const get = new GetItemCommand({ TableName: "t", Key: { leaseKey: { S: "k" } } });

describe("DynamoDbHttpClient", () => {
  test("sends the operation and the SDK-shaped input, returns the answer with $metadata", async () => {
    replies = [{ status: 200, body: { Item: { leaseKey: { S: "k" }, leaseCounter: { N: "3" } } } }];
    const out = await client().send(get);
    expect(out.Item).toEqual({ leaseKey: { S: "k" }, leaseCounter: { N: "3" } });
    expect(out.$metadata).toEqual({ httpStatusCode: 200, requestId: "req-1", attempts: 1 });
    expect(seen[0]!.target).toBe("DynamoDB_20120810.GetItem");
    expect(JSON.parse(seen[0]!.body)).toEqual(get.input);
    expect(seen[0]!.auth).toStartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/");
  });

  test("throttling and 5xx are retried up to maxAttempts; the last error carries the attempts", async () => {
    replies = [
      { status: 400, body: dynamoError("ThrottlingException") },
      { status: 503, body: {} },
    ];
    const out = await client().send(get);
    expect(out.$metadata.attempts).toBe(3);
    expect(seen.length).toBe(3);

    seen = [];
    replies = [
      { status: 400, body: dynamoError("ProvisionedThroughputExceededException") },
      { status: 400, body: dynamoError("ProvisionedThroughputExceededException") },
    ];
    const error = await client({ maxAttempts: 2 })
      .send(get)
      .catch((e: unknown) => e as DynamoDbServiceError);
    expect(error).toBeInstanceOf(DynamoDbServiceError);
    expect(error).toMatchObject({
      name: "ProvisionedThroughputExceededException",
      $fault: "client",
      $metadata: { httpStatusCode: 400, attempts: 2 },
    });
    expect(seen.length).toBe(2);
  });

  test("a rejected condition is not retried and carries the item it saw (ALL_OLD)", async () => {
    const item = { leaseKey: { S: "k" }, leaseOwner: { S: "other" } };
    replies = [{ status: 400, body: dynamoError("ConditionalCheckFailedException", { Item: item }) }];
    const update = new UpdateItemCommand({
      TableName: "t",
      Key: { leaseKey: { S: "k" } },
      UpdateExpression: "SET leaseCounter = :c",
      ExpressionAttributeValues: { ":c": { N: "4" } },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    });
    const error = await failure<DynamoDbServiceError>(client().send(update));
    expect(error).toMatchObject({ name: "ConditionalCheckFailedException", Item: item });
    expect(error.message).toBe("injected ConditionalCheckFailedException");
    expect(seen.length).toBe(1);
  });

  test("a clock-skew refusal is retried at once with the server's time from its Date header", async () => {
    const server = Date.now() + 3_600_000;
    replies = [
      {
        status: 400,
        body: dynamoError("InvalidSignatureException", { message: "Signature expired" }),
        date: new Date(server).toUTCString(),
      },
    ];
    const c = client({ maxAttempts: 2 });
    await c.send(get);
    expect(seen.length).toBe(2);
    const signedAt = (d: string) =>
      Date.UTC(
        +d.slice(0, 4),
        +d.slice(4, 6) - 1,
        +d.slice(6, 8),
        +d.slice(9, 11),
        +d.slice(11, 13),
        +d.slice(13, 15),
      );
    expect(Math.abs(signedAt(seen[1]!.date) - server)).toBeLessThan(10_000);
    // And the offset stays for later calls.
    await c.send(get);
    expect(Math.abs(signedAt(seen[2]!.date) - server)).toBeLessThan(10_000);
  });

  test("no answer within the request timeout is a TimeoutError (retried); an abort is final", async () => {
    replies = [{ status: 200, hang: true }];
    const out = await client({ requestTimeoutMs: 200 }).send(get);
    expect(out.$metadata.attempts).toBe(2);

    seen = [];
    replies = [{ status: 200, hang: true }];
    const timedOut = await failure(client({ requestTimeoutMs: 200, maxAttempts: 1 }).send(get));
    expect(timedOut.name).toBe("TimeoutError");

    seen = [];
    replies = [{ status: 200, hang: true }];
    const abort = new AbortController();
    const pending = client({ requestTimeoutMs: 10_000 }).send(get, { abortSignal: abort.signal });
    // Abort once the server holds the request (not before it was sent).
    await waitFor("the request reached the server", () => seen.length === 1, 5_000, 10);
    abort.abort();
    const aborted = await failure(pending);
    expect(aborted.name).toBe("AbortError");
    expect(seen.length).toBe(1);
  });

  test("a refused connection keeps its socket code (ECONNREFUSED) after the retries", async () => {
    const error = await failure(client({ endpoint: "http://127.0.0.1:1" }).send(get));
    expect(error.code).toBe("ECONNREFUSED");
  });

  test("without a region every call fails saying so, before any request", async () => {
    const error = await failure(client({ region: undefined }).send(get));
    expect(error.message).toContain("Region is missing");
    expect(seen.length).toBe(0);
  });

  test("without explicit credentials it uses the SDK's default chain (here: the environment)", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = "AKIDFROMENV";
    process.env.AWS_SECRET_ACCESS_KEY = "secret-from-env";
    try {
      await client({ credentials: undefined }).send(get);
      expect(seen[0]!.auth).toStartWith("AWS4-HMAC-SHA256 Credential=AKIDFROMENV/");
    } finally {
      for (const [k, v] of [
        ["AWS_ACCESS_KEY_ID", saved.id],
        ["AWS_SECRET_ACCESS_KEY", saved.secret],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test("regional endpoints: standard partition, China, FIPS; per service", () => {
    expect(regionalEndpoint("eu-west-1", {})).toBe("https://dynamodb.eu-west-1.amazonaws.com");
    expect(regionalEndpoint("cn-north-1", {}, DYNAMODB)).toBe("https://dynamodb.cn-north-1.amazonaws.com.cn");
    expect(regionalEndpoint("us-east-1", { AWS_USE_FIPS_ENDPOINT: "true" })).toBe(
      "https://dynamodb-fips.us-east-1.amazonaws.com",
    );
    expect(regionalEndpoint("us-west-2", {}, KINESIS)).toBe("https://kinesis.us-west-2.amazonaws.com");
  });

  test("the profile's region is found as the SDK finds it", () => {
    const dir = mkdtempSync(join(tmpdir(), "kcl-profile-"));
    const file = join(dir, "config");
    writeFileSync(
      file,
      "[default]\nregion = eu-central-1\n\n[profile billing]\n# comment\nregion=ap-south-1\n",
    );
    expect(profileRegion({ AWS_CONFIG_FILE: file })).toBe("eu-central-1");
    expect(profileRegion({ AWS_CONFIG_FILE: file, AWS_PROFILE: "billing" })).toBe("ap-south-1");
    expect(profileRegion({ AWS_CONFIG_FILE: file, AWS_PROFILE: "none" })).toBeUndefined();
    expect(profileRegion({ AWS_CONFIG_FILE: join(dir, "missing") })).toBeUndefined();
  });
});
