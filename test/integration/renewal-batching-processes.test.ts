// Batched renewals from a real `kcl-ts consume` (lease thread on, kinesalite + dynalite): the worker's
// renewals reach DynamoDB as BatchExecuteStatement calls, `--no-renewal-batching` sends UpdateItems,
// against a dynalite without PartiQL the worker warns once and goes on renewing with UpdateItem (with the
// lease thread and without), and assigner mode does not batch.
import { afterAll, describe, expect, test } from "bun:test";
import { type Meter, startMeteringProxy } from "../../bench/metering-proxy.ts";
import { type Emulators, startEmulators } from "../../cli/local/emulators.ts";
import { createStream, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { type Proc, startProcess } from "../support/processes.ts";
import { consumeArgv, REPO_ROOT } from "./support.ts";

/** Generous: two busy cores, several bun processes and the emulators share them. */
const WAIT = 60_000;
const SHARDS = 2;

const aws = awsForSuite();
const extra: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const s of extra.splice(0).reverse()) await s.stop();
});

/** A worker on `stream` whose DynamoDB calls go to `dynamodbEndpoint`; resolves once it holds every shard. */
async function worker(stream: string, dynamodbEndpoint: string, flags: string[] = []): Promise<Proc> {
  const p = startProcess("worker", consumeArgv(stream, uniqueName("batching"), ...flags), {
    cwd: REPO_ROOT,
    env: { ...aws.env, AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint },
  });
  const acquired = () => p.lines.filter((l) => l.includes('"lease-acquired"')).length;
  await waitFor(`the worker holds ${SHARDS} leases`, () => acquired() >= SHARDS, WAIT, 100);
  return p;
}

/** Runs until `done` (counted DynamoDB calls: several renewal rounds, 975 ms apart), then stops it. */
async function runUntil(p: Proc, what: string, done: () => boolean): Promise<void> {
  await waitFor(what, done, WAIT, 100);
  p.signal("SIGTERM");
  expect((await p.exited).code).toBe(0);
}

const calls = (meter: Meter, op: string) => meter.stats()[op]?.requests ?? 0;

async function metered(upstream: string): Promise<Meter> {
  const meter = await startMeteringProxy(upstream, { capacity: false });
  extra.push(meter);
  return meter;
}

const warnings = (p: Proc) => p.lines.filter((l) => l.includes("renewal batching is off"));

describe("renewal batching (worker processes)", () => {
  test("by default renewals go as BatchExecuteStatement; --no-renewal-batching sends one UpdateItem per renewal", async () => {
    const stream = uniqueName("batching");
    await createStream(aws.kinesis, stream, SHARDS);
    const batched = await metered(aws.dynamodbEndpoint);
    const a = await worker(stream, batched.endpoint);
    await runUntil(a, "3 batches", () => calls(batched, "BatchExecuteStatement") >= 3);
    const single = await metered(aws.dynamodbEndpoint);
    const b = await worker(stream, single.endpoint, ["--no-renewal-batching"]);
    const updatesOn = calls(batched, "UpdateItem");
    await runUntil(
      b,
      "3 rounds of UpdateItem renewals",
      () => calls(single, "UpdateItem") >= updatesOn + 3 * SHARDS,
    );
    const on = batched.stats();
    const off = single.stats();
    // ~4 rounds of renewals each: batches with batching on, UpdateItems (renewals, takes, releases) off.
    expect(on.BatchExecuteStatement?.requests ?? 0).toBeGreaterThanOrEqual(3);
    expect(off.BatchExecuteStatement?.requests ?? 0).toBe(0);
    expect(off.UpdateItem?.requests ?? 0).toBeGreaterThanOrEqual((on.UpdateItem?.requests ?? 0) + 3 * SHARDS);
    expect([...warnings(a), ...warnings(b)]).toEqual([]);
  }, 180_000);

  test("against a DynamoDB endpoint without PartiQL the worker warns once and keeps its leases with UpdateItem", async () => {
    const plain: Emulators = await startEmulators({ partiql: false });
    extra.push(plain);
    const stream = uniqueName("batching");
    await createStream(aws.kinesis, stream, SHARDS);
    const meter = await metered(plain.dynamodbEndpoint);
    const p = await worker(stream, meter.endpoint);
    await runUntil(p, "3 rounds of UpdateItem renewals", () => calls(meter, "UpdateItem") >= 3 * SHARDS);
    expect(warnings(p)).toHaveLength(1);
    expect(warnings(p)[0]).toContain("UnknownOperationException");
    expect(warnings(p)[0]).toContain("--no-renewal-batching");
    expect(p.lines.some((l) => l.includes('"lease-lost"'))).toBe(false);
    // Tried once (one round's batch), then every renewal as UpdateItem.
    expect(meter.stats().BatchExecuteStatement?.requests).toBe(1);
    expect(meter.stats().UpdateItem?.requests ?? 0).toBeGreaterThanOrEqual(3 * SHARDS);
  }, 120_000);

  test("the same on the main thread (--no-lease-thread); assigner mode never batches (it reads notices off renewals)", async () => {
    const plain: Emulators = await startEmulators({ partiql: false });
    extra.push(plain);
    const stream = uniqueName("batching");
    await createStream(aws.kinesis, stream, SHARDS);
    const plainMeter = await metered(plain.dynamodbEndpoint);
    const p = await worker(stream, plainMeter.endpoint, ["--no-lease-thread"]);
    await runUntil(p, "3 rounds of UpdateItem renewals", () => calls(plainMeter, "UpdateItem") >= 3 * SHARDS);
    expect(warnings(p)).toHaveLength(1);
    const meter = await metered(aws.dynamodbEndpoint);
    const assigner = await worker(stream, meter.endpoint, ["--lease-assignment", "assigner"]);
    await runUntil(
      assigner,
      "3 rounds of UpdateItem renewals",
      () => calls(meter, "UpdateItem") >= 3 * SHARDS,
    );
    expect(meter.stats().BatchExecuteStatement?.requests ?? 0).toBe(0);
    expect(meter.stats().UpdateItem?.requests ?? 0).toBeGreaterThanOrEqual(3 * SHARDS);
    expect(warnings(assigner)).toEqual([]);
  }, 180_000);
});
