// The real CLI as users run it (`bun cli/main.ts ...`) against in-process emulators: a fleet of two
// consume processes, leases list on what they wrote, --local, and every bad-input exit code.
import { describe, expect, test } from "bun:test";
import { createServer } from "node:net";
import { join } from "node:path";
import { createStream, putRecords, scanTable, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { type Proc, startProcess } from "../support/processes.ts";

const ROOT = join(import.meta.dir, "..", "..");
const MAIN = join(ROOT, "cli", "main.ts");
const PRINT = "plugins/print-records.ts";
const FAST = [
  "--failover-ms",
  "3000",
  "--idle-time-ms",
  "200",
  "--checkpoint-interval-ms",
  "300",
  "--shard-sync-ms",
  "2000",
];

const aws = awsForSuite();

function cli(name: string, args: string[], env: Record<string, string> = {}): Proc {
  return startProcess(name, [MAIN, ...args], { cwd: ROOT, env: { ...aws.env, ...env } });
}

/** Runs the CLI to completion: exit code, stdout, stderr. */
async function run(args: string[], env: Record<string, string> = {}) {
  const proc = cli(`kcl-ts ${args[0]}`, args, env);
  const { code } = await proc.exited;
  return { code, out: proc.lines.join("\n"), err: proc.stderr() };
}

/** A loopback port that nothing listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface Printed {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: string;
}

function printed(proc: Proc): Printed[] {
  return proc.lines
    .filter((l) => l.startsWith("{") && !l.includes('"type"'))
    .map((l) => JSON.parse(l) as Printed);
}

describe("consume: a fleet of two processes", () => {
  test("share 4 shards 2/2, deliver every record, and leases list shows their owners and checkpoints", async () => {
    const stream = uniqueName("fleet");
    const app = uniqueName("fleet-app");
    await createStream(aws.kinesis, stream, 4);
    const before = await putRecords(
      aws.kinesis,
      stream,
      Array.from({ length: 200 }, (_, i) => ({ partitionKey: `key-${i}`, data: `before-${i}` })),
    );
    const common = ["consume", "--stream", stream, "--app", app, "--plugin", PRINT, "--output", "json"];
    const env = { PRINT_FORMAT: "json" };
    const w1 = cli(
      "w1",
      [...common, "--worker-id", "w1", "--initial-position", "TRIM_HORIZON", ...FAST],
      env,
    );
    await w1.waitForLine(/"type":"lease-acquired"/, 30_000);
    const w2 = cli(
      "w2",
      [...common, "--worker-id", "w2", "--initial-position", "TRIM_HORIZON", ...FAST],
      env,
    );

    const owners = async () => {
      const items = await scanTable(aws.dynamodb, app);
      const count = (w: string) => items.filter((i) => i.leaseOwner?.S === w).length;
      // Handoffs finished too (no checkpointOwner): until then the old owner still delivers.
      const settled = items.every((i) => i.checkpointOwner === undefined);
      return items.length === 4 && settled && count("w1") === 2 && count("w2") === 2 ? items : undefined;
    };
    await waitFor("leases split 2/2 between w1 and w2", owners, 45_000, 250);

    const after = await putRecords(
      aws.kinesis,
      stream,
      Array.from({ length: 200 }, (_, i) => ({ partitionKey: `key-${i}`, data: `after-${i}` })),
    );
    const all = [...before, ...after];
    const delivered = () => new Set([...printed(w1), ...printed(w2)].map((p) => p.sequenceNumber));
    await waitFor(
      "every record delivered",
      () => all.every((r) => delivered().has(r.sequenceNumber)),
      30_000,
      200,
    );
    // The records put after the split went to the worker that owns their shard.
    const ownerOf = new Map(((await owners()) ?? []).map((i) => [i.leaseKey?.S, i.leaseOwner?.S]));
    for (const r of after) {
      const by = printed(ownerOf.get(r.shardId) === "w1" ? w1 : w2).some(
        (p) => p.sequenceNumber === r.sequenceNumber,
      );
      expect(by).toBe(true);
    }

    // Auto checkpoints reach the last record of every shard.
    const lastPerShard = new Map<string, string>();
    for (const r of all) lastPerShard.set(r.shardId, r.sequenceNumber);
    await waitFor(
      "checkpoints at the last records",
      async () => {
        const items = await scanTable(aws.dynamodb, app);
        return items.every((i) => i.checkpoint?.S === lastPerShard.get(i.leaseKey?.S ?? ""));
      },
      20_000,
      200,
    );

    const table = await run(["leases", "list", "--app", app]);
    expect(table.err).toBe("");
    expect(table.code).toBe(0);
    for (const [shardId, seq] of lastPerShard) {
      const row = table.out.split("\n").find((l) => l.startsWith(shardId)) ?? "";
      expect(row).toMatch(new RegExp(`^${shardId}\\s+w[12]\\s+\\d+\\s+${seq}\\s+-\\s+owned\\s+0$`));
    }
    expect(table.out).toMatch(/w1\s+2\n/);
    expect(table.out).toMatch(/w2\s+2\n/);
    const json = await run(["leases", "list", "--app", app, "--json"]);
    expect(json.code).toBe(0);
    const leases = JSON.parse(json.out) as { leaseKey: string; leaseOwner: string; checkpoint: string }[];
    expect(leases.map((l) => l.leaseOwner).sort()).toEqual(["w1", "w1", "w2", "w2"]);
    for (const l of leases) expect(l.checkpoint).toBe(lastPerShard.get(l.leaseKey) as string);

    // Graceful shutdown: exit 0 and the leases are released for the next deploy.
    w1.signal("SIGTERM");
    w2.signal("SIGINT");
    expect((await w1.exited).code).toBe(0);
    expect((await w2.exited).code).toBe(0);
    const released = await scanTable(aws.dynamodb, app);
    expect(released.filter((i) => i.leaseOwner).length).toBe(0);
  }, 120_000);
});

describe("consume --local", () => {
  test("starts embedded emulators and the stream, prints lines, stops on SIGINT with exit 0", async () => {
    const proc = cli("local", [
      "consume",
      "--local",
      "--shards",
      "2",
      "--stream",
      "solo",
      "--app",
      "solo-app",
      "--plugin",
      PRINT,
      ...FAST,
    ]);
    await proc.waitForLine(/acquired shardId-000000000001/, 30_000);
    expect(proc.stderr()).toContain("stream solo has 2 shards");
    expect(proc.lines.some((l) => /worker .+ started: app solo-app, stream solo/.test(l))).toBe(true);
    proc.signal("SIGINT");
    expect((await proc.exited).code).toBe(0);
    expect(proc.lines.join("\n")).toContain("worker stopped (clean)");
  }, 60_000);
});

describe("example plugins", () => {
  test("batch-checkpoint: manual checkpoints after each batch and at graceful shutdown", async () => {
    const stream = uniqueName("batch");
    const app = uniqueName("batch-app");
    await createStream(aws.kinesis, stream, 1);
    const put = await putRecords(
      aws.kinesis,
      stream,
      Array.from({ length: 25 }, (_, i) => ({ partitionKey: `k${i}`, data: `r${i}` })),
    );
    const args = ["consume", "--stream", stream, "--app", app, "--plugin", "plugins/batch-checkpoint.ts"];
    const proc = cli(
      "batcher",
      [...args, "--checkpoint", "manual", "--initial-position", "TRIM_HORIZON", ...FAST],
      {
        BATCH_SIZE: "10",
      },
    );
    await proc.waitForLine(/wrote 10 records .*\.\.(\d+)$/, 30_000);
    await waitFor(
      "two batches",
      () => proc.lines.filter((l) => l.includes("wrote 10 records")).length === 2,
      20_000,
    );
    const checkpoint = async () => (await scanTable(aws.dynamodb, app))[0]?.checkpoint?.S;
    await waitFor(
      "checkpoint at record 20",
      async () => (await checkpoint()) === put[19]?.sequenceNumber,
      10_000,
    );
    proc.signal("SIGTERM");
    expect((await proc.exited).code).toBe(0);
    // shutdownRequested flushed the last 5 and checkpointed them.
    expect(proc.lines.some((l) => l.includes("wrote 5 records"))).toBe(true);
    expect(await checkpoint()).toBe(put[24]?.sequenceNumber as string);
  }, 60_000);

  test("failure-policy with --on-error exit: a poison record stops the worker with exit code 5", async () => {
    const stream = uniqueName("poison");
    await createStream(aws.kinesis, stream, 1);
    await putRecords(aws.kinesis, stream, [
      { partitionKey: "a", data: "fine" },
      { partitionKey: "b", data: "poison pill" },
    ]);
    const args = [
      "consume",
      "--stream",
      stream,
      "--app",
      uniqueName("poison-app"),
      "--plugin",
      "plugins/failure-policy.ts",
    ];
    const result = await run([...args, "--on-error", "exit", "--initial-position", "TRIM_HORIZON", ...FAST]);
    expect(result.code).toBe(5);
    expect(result.out).toContain("poison record");
    expect(result.err).toContain("poison record");
  }, 60_000);
});

describe("kcl-ts local + consume in another process", () => {
  test("one AWS_ENDPOINT_URL serves both APIs: the consumer reads what local --produce puts", async () => {
    const local = cli("local", [
      "local",
      "--port",
      "0",
      "--stream",
      "fleet-demo",
      "--shards",
      "2",
      "--produce",
      "50",
    ]);
    const exported = await local.waitForLine(/^export AWS_ENDPOINT_URL=/, 30_000);
    const endpoint = exported.split("=")[1] as string;
    const consumer = cli(
      "consumer",
      [
        "consume",
        "--stream",
        "fleet-demo",
        "--app",
        "fleet-demo",
        "--plugin",
        PRINT,
        "--output",
        "json",
        ...FAST,
      ],
      // Only the generic variable: the service-specific ones from the test env must not win.
      {
        PRINT_FORMAT: "json",
        AWS_ENDPOINT_URL: endpoint,
        AWS_ENDPOINT_URL_KINESIS: "",
        AWS_ENDPOINT_URL_DYNAMODB: "",
      },
    );
    await waitFor("records from the producer", () => printed(consumer).length >= 20, 30_000, 100);
    expect(printed(consumer)[0]?.data).toMatch(/^\{"n":\d+,"key":"key-\d+"/);
    consumer.signal("SIGINT");
    expect((await consumer.exited).code).toBe(0);
    local.signal("SIGTERM");
    expect((await local.exited).code).toBe(0);
    expect(local.lines.join("\n")).toMatch(/produced \d+ records/);
  }, 60_000);
});

describe("kcl-ts demo", () => {
  test("runs the story with real workers, ends by itself, and leaves no worker behind", async () => {
    const result = await run(["demo", "--seconds", "12", "--rate", "30"]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    // The story runs on a fixed wall-clock schedule: on a loaded machine worker B may join before A
    // holds all four leases, so only what happens in any case is asserted.
    expect(result.out).toMatch(/worker-A +\+ acquired shardId-/);
    expect(result.out).toMatch(/worker-B +\+ (stole|acquired) shardId-/);
    expect(result.out).toMatch(/split shardId-\d+: 5 open shards now/);
    expect(result.out).toMatch(/killed with SIGKILL/);
    expect(result.out).toMatch(/records: produced [1-9]\d*, processed [1-9]\d*/);
    const pids = [...result.out.matchAll(/started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    expect(pids.length).toBe(3);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);
});

describe("bad input: exit code and message", () => {
  const base = ["consume", "--stream", "s1", "--app", "app1", "--plugin", PRINT];
  const without = (flag: string) => {
    const i = base.indexOf(flag);
    return [...base.slice(0, i), ...base.slice(i + 2)];
  };

  test.each([
    ["missing --stream", without("--stream"), 2, ["--stream", "required"]],
    ["missing --app", without("--app"), 2, ["--app", "required"]],
    ["missing --plugin", without("--plugin"), 2, ["--plugin", "required"]],
    [
      "AT_TIMESTAMP without --timestamp",
      [...base, "--initial-position", "AT_TIMESTAMP"],
      2,
      ["AT_TIMESTAMP", "--timestamp"],
    ],
    ["an unknown flag", [...base, "--shard-count", "3"], 2, ["Unknown argument", "shard-count"]],
    ["an unknown command", ["consoom"], 2, ["Unknown argument", "consoom"]],
    [
      "a missing plugin file",
      [...without("--plugin"), "--plugin", "./nope.ts"],
      3,
      ["nope.ts", "file not found"],
    ],
    [
      "a plugin with a syntax error",
      [...without("--plugin"), "--plugin", "test/fixtures/broken-plugins/syntax-error.ts"],
      3,
      ["syntax error", "syntax-error.ts:4:"],
    ],
    [
      "a plugin without processRecords",
      [...without("--plugin"), "--plugin", "test/fixtures/plugins/no-process-records.ts"],
      3,
      ["no processRecords", "export default"],
    ],
  ] as [string, string[], number, string[]][])(
    "%s",
    async (_name, args, code, words) => {
      const result = await run(args);
      expect(result.code).toBe(code);
      for (const w of words) expect(result.err).toContain(w);
    },
    30_000,
  );

  test("a stream that does not exist: exit 4 naming stream, region and endpoint", async () => {
    const result = await run([...base.slice(0, 1), "--stream", "no-such-stream", ...base.slice(3)]);
    expect(result.code).toBe(4);
    expect(result.err).toContain("no-such-stream");
    expect(result.err).toContain("us-east-1");
    expect(result.err).toContain(aws.kinesisEndpoint);
  }, 30_000);

  test("an unreachable endpoint: exit 4 (no endless retrying), naming the endpoint", async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const result = await run(base, {
      AWS_ENDPOINT_URL_KINESIS: endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    });
    expect(result.code).toBe(4);
    expect(result.err).toContain(endpoint);
  }, 30_000);
});
