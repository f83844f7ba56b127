// `kcl-ts multilang` end to end on kinesalite + dynalite with AWS's own MultiLangDaemon client (npm
// aws-kcl) as the child: the sample-shaped app of test/multilang/fixtures, run unchanged, per shard.
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStream, splitShard, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { BUN, type Proc, startProcess } from "../support/processes.ts";
import {
  checkDelivered,
  deliveriesFile,
  leaseRows,
  ownerCounts,
  readDeliveries,
  startProducer,
  uniqueName,
  waitStable as waitStableIn,
} from "./support.ts";

const MAIN = join(import.meta.dir, "../../cli/main.ts");
const APP = join(import.meta.dir, "../multilang/fixtures/aws-kcl-app.cjs");
const PYTHON_APP = join(import.meta.dir, "../multilang/fixtures/python_child.py");
const WAIT = 30_000;

const aws = awsForSuite();

/** A properties file as a MultiLangDaemon user has it (Java-only keys included), in its own folder. */
function propertiesFile(stream: string, app: string, extra = "", executable = `node ${APP}`): string {
  const dir = mkdtempSync(join(tmpdir(), "kcl-multilang-"));
  const file = join(dir, "app.properties");
  writeFileSync(
    file,
    `# The script that abides by the multi-language protocol.
executableName = ${executable}
streamName = ${stream}
applicationName = ${app}
AWSCredentialsProvider = DefaultAWSCredentialsProviderChain
processingLanguage = nodejs/20
initialPositionInStream = TRIM_HORIZON
regionName = ${aws.region}
kinesisEndpoint = ${aws.kinesisEndpoint}
dynamoDBEndpoint = ${aws.dynamodbEndpoint}
failoverTimeMillis = 3000
idleTimeBetweenReadsInMillis = 200
shardSyncIntervalMillis = 2000
timeoutInSeconds = 20
${extra}`,
  );
  return file;
}

function startMultilang(
  name: string,
  properties: string,
  out: string,
  env: Record<string, string> = {},
): Proc {
  return startProcess(
    name,
    ["--no-install", MAIN, "multilang", "-p", properties, "--worker-id", name, "--output", "json"],
    { env: { ...aws.env, KCL_TEST_OUT: out, KCL_TEST_WORKER: name, CHECKPOINT_EVERY_MS: "500", ...env } },
  );
}

const waitStable = (app: string, ms: number) => waitStableIn(aws, app, ms, WAIT);

const distinct = (out: string) => new Set(readDeliveries(out).map((d) => d.d)).size;
const owners = async (app: string) => ownerCounts(await leaseRows(aws, app));
const numeric = (checkpoint: string) => /^\d+$/.test(checkpoint);

const waitForShards = (out: string, n: number) =>
  waitFor(
    `records from ${n} shards`,
    () => new Set(readDeliveries(out).map((d) => d.s)).size === n,
    WAIT,
    200,
  );

/** Stops the producer, waits until every record it put was delivered, and checks them (per-key order). */
async function finishAndCheck(producer: ReturnType<typeof startProducer>, out: string): Promise<void> {
  await producer.stop();
  await waitFor("every record delivered", () => distinct(out) >= producer.put.length, WAIT, 200);
  checkDelivered(producer.put, readDeliveries(out));
}

/** Every lease's checkpoint is the last record delivered on its shard. */
async function expectCheckpointsAtLastRecord(app: string, out: string): Promise<void> {
  const lastPerShard = new Map<string, string>();
  for (const d of readDeliveries(out)) lastPerShard.set(d.s, d.q);
  for (const r of await leaseRows(aws, app)) expect(r.checkpoint).toBe(lastPerShard.get(r.leaseKey)!);
}

/** Splits `parent`, waits for its SHARD_END checkpoint and for records from both children: their keys. */
async function splitAndWaitForChildren(stream: string, app: string, parent: string, out: string) {
  await splitShard(aws.kinesis, stream, parent);
  await waitFor(
    "parent at SHARD_END",
    async () => (await leaseRows(aws, app)).find((r) => r.leaseKey === parent)?.checkpoint === "SHARD_END",
    WAIT,
    200,
  );
  const children = (await leaseRows(aws, app))
    .filter((r) => r.parents.includes(parent))
    .map((r) => r.leaseKey);
  expect(children).toHaveLength(2);
  await waitFor(
    "records from both children",
    () => children.every((c) => readDeliveries(out).some((d) => d.s === c)),
    WAIT,
    200,
  );
  return children;
}

describe("kcl-ts multilang end to end", () => {
  test("1 worker/4 shards: every record in per-key order, children's checkpoints in the lease table, SIGTERM releases", async () => {
    const stream = uniqueName("ml");
    const app = uniqueName("ml-app");
    await createStream(aws.kinesis, stream, 4);
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream);
    const a = startMultilang("A", propertiesFile(stream, app), out);
    await waitFor("A owns 4 leases", async () => (await owners(app)).A === 4, WAIT, 200);
    await waitForShards(out, 4);
    // The child checkpoints every 500 ms: the lease table shows sequence numbers, not TRIM_HORIZON.
    await waitFor(
      "a checkpoint on every lease",
      async () => (await leaseRows(aws, app)).every((r) => numeric(r.checkpoint)),
      WAIT,
      200,
    );
    await finishAndCheck(producer, out);
    // Java-only keys are listed once; the child's stderr comes through prefixed with its shard.
    expect(a.stderr()).toContain("ignoring Java-only keys: AWSCredentialsProvider, processingLanguage");
    expect(a.stderr()).toMatch(
      /\[shardId-00000000000\d\] initialize shardId-00000000000\d at TRIM_HORIZON\/0/,
    );

    a.signal("SIGTERM");
    expect((await a.exited).code).toBe(0);
    // shutdownRequested: each child checkpointed what it had; every lease is released at its last record.
    const rows = await leaseRows(aws, app);
    expect(rows.every((r) => r.leaseOwner === undefined)).toBe(true);
    const lastPerShard = new Map<string, string>();
    for (const d of readDeliveries(out)) lastPerShard.set(d.s, d.q);
    for (const r of rows) expect(r.checkpoint).toBe(lastPerShard.get(r.leaseKey)!);
    expect(a.stderr()).toContain("checkpoint shutdownRequested: ok");

    // `leases list` shows the children's checkpoints (what an operator sees).
    const list = startProcess("list", ["--no-install", MAIN, "leases", "list", "--app", app, "--json"], {
      env: { ...aws.env },
    });
    expect((await list.exited).code).toBe(0);
    const listed = JSON.parse(list.lines.join("\n")) as { leaseKey: string; checkpoint: string }[];
    expect(listed.map((l) => l.checkpoint).sort()).toEqual(rows.map((r) => r.checkpoint).sort());
  }, 90_000);

  test("join → 2/2, split parent-before-child, SIGTERM handoff with zero repeats, SIGKILL failover; v1 shutdown(reason) API too", async () => {
    const stream = uniqueName("mls");
    const app = uniqueName("mls-app");
    await createStream(aws.kinesis, stream, 4);
    const out = deliveriesFile();
    const properties = propertiesFile(stream, app);
    const producer = startProducer(aws.kinesis, stream);
    const a = startMultilang("A", properties, out);
    await waitFor("A owns 4 leases", async () => (await owners(app)).A === 4, WAIT, 200);
    // B's child uses the older aws-kcl API: shutdown(reason) instead of leaseLost/shardEnded.
    const b = startMultilang("B", properties, out, { KCL_APP_API: "v1" });
    await waitFor(
      "2/2",
      async () => {
        const c = await owners(app);
        return c.A === 2 && c.B === 2;
      },
      WAIT,
      200,
    );

    // Split a shard: its children start only after the parent is checkpointed at SHARD_END by its child.
    const parent = "shardId-000000000000";
    const children = await splitAndWaitForChildren(stream, app, parent, out);

    // A steal's victim may deliver until its next renewal: let balancing settle first, so that every
    // repeat counted below could only come from the SIGTERM handoff.
    await waitStable(app, 2500);
    // SIGTERM A: its children checkpoint in shutdownRequested, so B repeats nothing A had processed.
    await waitFor(
      "A is processing",
      () => readDeliveries(out).filter((d) => d.w === "A").length > 50,
      WAIT,
      200,
    );
    const before = new Set(
      readDeliveries(out)
        .filter((d) => d.w === "A")
        .map((d) => d.d),
    );
    const termAt = Date.now();
    a.signal("SIGTERM");
    expect((await a.exited).code).toBe(0);
    await waitFor("B owns all 5 open leases", async () => (await owners(app)).B === 5, WAIT, 200);

    // SIGKILL B: C takes every lease over after the failover time, from the last checkpoints.
    const c = startMultilang("C", properties, out);
    await new Promise((r) => setTimeout(r, 1500));
    await b.kill();
    await waitFor(
      "C owns all 5 open leases",
      async () => {
        const counts = await owners(app);
        return counts.C === 5 && counts.B === undefined;
      },
      WAIT,
      200,
    );
    await producer.stop();
    await waitFor("every record delivered", () => distinct(out) >= producer.put.length, WAIT, 200);

    const deliveries = readDeliveries(out);
    checkDelivered(producer.put, deliveries);
    const lastParent = deliveries.map((d) => d.s).lastIndexOf(parent);
    const firstChild = deliveries.findIndex((d) => children.includes(d.s));
    expect(firstChild).toBeGreaterThan(lastParent);
    const repeatedFromA = deliveries.filter((d) => d.w === "B" && d.t >= termAt && before.has(d.d));
    expect(repeatedFromA).toEqual([]);

    c.signal("SIGTERM");
    expect((await c.exited).code).toBe(0);
  }, 150_000);

  test("an aws-kcl child on the older shutdown(reason) API: TERMINATE checkpoints the shard end, ZOMBIE on stop", async () => {
    const stream = uniqueName("mlv1");
    const app = uniqueName("mlv1-app");
    await createStream(aws.kinesis, stream, 2);
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream, 8, 10);
    const a = startMultilang("A", propertiesFile(stream, app), out, { KCL_APP_API: "v1" });
    await waitForShards(out, 2);
    const parent = "shardId-000000000000";
    const children = await splitAndWaitForChildren(stream, app, parent, out);
    await finishAndCheck(producer, out);
    a.signal("SIGTERM");
    expect((await a.exited).code).toBe(0);
    // shardEnded became shutdown(TERMINATE) + checkpoint() in aws-kcl; the stop's leaseLost became ZOMBIE.
    expect(a.stderr()).toContain(`[${parent}] shutdown TERMINATE`);
    expect(a.stderr()).toContain(`[${parent}] checkpoint TERMINATE: ok`);
    expect(a.stderr()).toContain(`[${children[0]}] shutdown ZOMBIE`);
  }, 90_000);

  test("a second runtime: a plain Python child written against the protocol", async () => {
    const stream = uniqueName("mlpy");
    const app = uniqueName("mlpy-app");
    await createStream(aws.kinesis, stream, 2);
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream, 8, 10);
    const a = startMultilang("A", propertiesFile(stream, app, "", `python3 -u ${PYTHON_APP}`), out);
    await waitForShards(out, 2);
    await finishAndCheck(producer, out);
    a.signal("SIGTERM");
    expect((await a.exited).code).toBe(0);
    await expectCheckpointsAtLastRecord(app, out);
    expect(a.stderr()).toContain("checkpoint None: ok");
  }, 60_000);

  test("a child that crashes at start fails the shard's processor: --on-error exit stops with 5, naming shard and exit", async () => {
    const stream = uniqueName("mlcrash");
    const app = uniqueName("mlcrash-app");
    await createStream(aws.kinesis, stream, 1);
    const dir = mkdtempSync(join(tmpdir(), "kcl-multilang-"));
    const properties = join(dir, "app.properties");
    writeFileSync(
      properties,
      `executableName = python3 missing_app.py\nstreamName = ${stream}\napplicationName = ${app}\ninitialPositionInStream = TRIM_HORIZON\nfailoverTimeMillis = 3000\n`,
    );
    const a = startProcess(
      "crash",
      ["--no-install", MAIN, "multilang", "-p", properties, "--on-error", "exit", "--output", "lines"],
      { env: { ...aws.env } },
    );
    expect((await a.exited).code).toBe(5);
    // The child runs in the properties file's folder: python names the file it looked for there.
    expect(a.stderr()).toContain(`[shardId-000000000000] `);
    expect(a.stderr()).toContain(join(dir, "missing_app.py"));
    expect(a.stderr()).toMatch(
      /initialize failed on shardId-000000000000 and --on-error is exit: ChildFailedError: child process for shardId-000000000000 \(pid \d+\) exited with code 2/,
    );
  }, 60_000);

  test("Ctrl-C in a terminal (SIGINT to the whole process group): the children still checkpoint in shutdownRequested", async () => {
    const stream = uniqueName("mlint");
    const app = uniqueName("mlint-app");
    await createStream(aws.kinesis, stream, 2);
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream, 8, 10);
    // Like a shell job: the CLI leads its own process group and the terminal signals the whole group.
    const cli = spawn(
      BUN,
      ["--no-install", MAIN, "multilang", "-p", propertiesFile(stream, app), "--output", "json"],
      {
        // No periodic checkpoints: the only checkpoint a lease gets is the one in shutdownRequested.
        env: { ...process.env, ...aws.env, KCL_TEST_OUT: out, CHECKPOINT_EVERY_MS: "3600000" },
        stdio: ["ignore", "ignore", "pipe"],
        detached: true,
      },
    );
    let stderr = "";
    cli.stderr!.on("data", (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => cli.on("exit", (code) => resolve(code)));
    try {
      await waitForShards(out, 2);
      await producer.stop();
      await waitFor("every record delivered", () => distinct(out) >= producer.put.length, WAIT, 200);
      process.kill(-cli.pid!, "SIGINT");
      expect(await exited).toBe(0);
    } finally {
      try {
        process.kill(-cli.pid!, "SIGKILL");
      } catch {}
    }
    await expectCheckpointsAtLastRecord(app, out);
    expect(stderr).toContain("checkpoint shutdownRequested: ok");
  }, 60_000);
});
