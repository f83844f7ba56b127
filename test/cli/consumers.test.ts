// runConsumers against kinesis-mock: list (table and JSON), deregister by name and by ARN, and the
// usage (exit 2) and missing-consumer (exit 4) errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runConsumers } from "../../cli/commands/consumers.ts";
import { systemClock } from "../../src/core/clock.ts";
import { EventBus } from "../../src/core/events.ts";
import { ensureStreamConsumer } from "../../src/retrieval/stream-consumer.ts";
import { createStream, uniqueName } from "../support/aws.ts";
import { type KinesisMock, startKinesisMock } from "../support/kinesis-mock.ts";

// Stream names must not start with "consumer": kinesis-mock then misreads consumer ARNs (stream/undefined).
let mock: KinesisMock;
let fanOut: ReturnType<KinesisMock["fanOut"]>;
beforeAll(async () => {
  mock = await startKinesisMock();
  fanOut = mock.fanOut();
}, 90_000);
afterAll(async () => {
  fanOut?.destroy();
  await mock?.stop();
});

const env = () => ({ AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "t", AWS_SECRET_ACCESS_KEY: "t" });

async function run(args: Parameters<typeof runConsumers>[0]) {
  let out = "";
  let err = "";
  const code = await runConsumers(
    { kinesisEndpoint: mock.endpoint, ...args },
    {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: env(),
    },
  );
  return { code, out, err };
}

async function streamWith(names: string[]) {
  const stream = uniqueName("ops");
  await createStream(mock.kinesis, stream, 1);
  const events = new EventBus("cli", () => systemClock.now());
  for (const consumerName of names) {
    await ensureStreamConsumer({
      fanOut: fanOut.port,
      stream,
      consumerName,
      clock: systemClock,
      events,
      pollMs: 100,
    });
  }
  return stream;
}

describe("kcl-ts consumers", () => {
  test("list: a table, or JSON; an empty stream says so", async () => {
    const stream = await streamWith(["billing", "audit"]);
    const listed = await run({ action: "list", stream });
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^NAME +STATUS +CREATED +ARN/);
    expect(listed.out).toMatch(/billing +ACTIVE/);
    expect(listed.out).toMatch(/audit +ACTIVE/);
    const json = await run({ action: "list", stream, json: true });
    const parsed = JSON.parse(json.out) as { consumerName: string; consumerArn: string; status: string }[];
    expect(parsed.map((c) => c.consumerName).sort()).toEqual(["audit", "billing"]);
    expect(parsed.every((c) => c.consumerArn.includes(`stream/${stream}/consumer/`))).toBe(true);
    const empty = await run({ action: "list", stream: await streamWith([]) });
    expect(empty.out).toContain("has no enhanced fan-out consumers");
  }, 60_000);

  test("deregister by name and by ARN; both end up DELETING", async () => {
    const stream = await streamWith(["billing", "audit"]);
    const byName = await run({ action: "deregister", stream, consumerName: "billing" });
    expect([byName.code, byName.err]).toEqual([0, ""]);
    expect(byName.out).toContain("deregistering billing");
    const arn = (
      JSON.parse((await run({ action: "list", stream, json: true })).out) as {
        consumerName: string;
        consumerArn: string;
      }[]
    ).find((c) => c.consumerName === "audit")!.consumerArn;
    const byArn = await run({ action: "deregister", stream, consumerArn: arn, json: true });
    expect(JSON.parse(byArn.out)).toMatchObject({ consumerName: "audit", status: "DELETING" });
    // kinesis-mock keeps deregistered consumers listed as DELETING; AWS drops them after a while.
    const left = JSON.parse((await run({ action: "list", stream, json: true })).out) as { status: string }[];
    expect(left.every((c) => c.status === "DELETING")).toBe(true);
  }, 60_000);

  test("usage errors exit 2; an unknown consumer exits 4 and names the ones that exist", async () => {
    expect((await run({ action: "list" })).code).toBe(2);
    const noName = await run({ action: "deregister", stream: "s" });
    expect(noName.code).toBe(2);
    expect(noName.err).toContain("--consumer-name");
    const stream = await streamWith(["billing"]);
    const missing = await run({ action: "deregister", stream, consumerName: "nope" });
    expect(missing.code).toBe(4);
    expect(missing.err).toContain("it has: billing");
  }, 60_000);
});
