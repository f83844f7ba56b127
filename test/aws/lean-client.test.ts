// The SDK clients kcl-ts builds skip the SDK's logger middleware, which deep-copies every call's input
// and output (every record of a GetRecords) for a no-op logger: per-call CPU nobody uses.
import { expect, test } from "bun:test";
import { createDynamoDbClient, createKinesisClient } from "../../src/aws/clients.ts";
import { createKinesisHttp2Client } from "../../src/aws/http2-client.ts";

const options = {
  region: "us-east-1",
  kinesisEndpoint: "http://127.0.0.1:9",
  dynamodbEndpoint: "http://127.0.0.1:9",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
  env: {},
};

test("Kinesis, DynamoDB and fan-out clients are built without the SDK logger middleware", () => {
  const clients = [
    createKinesisClient(options).client,
    createDynamoDbClient(options).client,
    createKinesisHttp2Client(options).client,
  ];
  for (const client of clients) {
    const steps = client.middlewareStack.identify();
    // Still a full client: serialization, signing, retries, deserialization.
    expect(steps.some((s) => s.startsWith("serializerMiddleware"))).toBe(true);
    expect(steps.some((s) => s.startsWith("retryMiddleware"))).toBe(true);
    expect(steps.some((s) => s.startsWith("httpSigningMiddleware"))).toBe(true);
    expect(steps.some((s) => s.startsWith("loggerMiddleware"))).toBe(false);
    client.destroy();
  }
});
