// `kcl-ts consume --retrieval efo` end to end from source: the CLI process registers its consumer on
// kinesis-mock, subscribes over HTTP/2 (Kinesis endpoint = the relay, which passes HTTP/1.1 through),
// prints every record, and `kcl-ts consumers list` then shows the consumer. SIGTERM exits 0.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createStream, putRecords, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { type KinesisMock, startKinesisMock } from "../support/kinesis-mock.ts";
import { startProcess } from "../support/processes.ts";

const ROOT = join(import.meta.dir, "..", "..");
const MAIN = join(ROOT, "cli", "main.ts");
const dynamo = awsForSuite();
let mock: KinesisMock;
beforeAll(async () => {
  mock = await startKinesisMock();
}, 90_000);
afterAll(async () => {
  await mock?.stop();
});

test("consume --retrieval efo delivers every record through SubscribeToShard; consumers list shows it", async () => {
  const stream = uniqueName("cli-efo");
  const app = uniqueName("cli-efo-app");
  await createStream(mock.kinesis, stream, 2);
  const env = { ...dynamo.env, AWS_ENDPOINT_URL_KINESIS: mock.subscribeEndpoint, PRINT_FORMAT: "json" };
  const proc = startProcess(
    "efo",
    [MAIN, "consume", "--plugin", "plugins/print-records.ts", "--stream", stream, "--app", app]
      .concat(["--retrieval", "efo", "--initial-position", "TRIM_HORIZON", "--output", "json"])
      .concat(["--failover-ms", "3000", "--shard-sync-ms", "2000"]),
    { cwd: ROOT, env },
  );
  const put = await putRecords(
    mock.kinesis,
    stream,
    Array.from({ length: 20 }, (_, i) => ({ partitionKey: `k${i}`, data: `efo-${i}` })),
  );
  const printed = () =>
    new Set(proc.lines.filter((l) => l.includes('"partitionKey"')).map((l) => JSON.parse(l).data as string));
  await waitFor("all 20 records printed", () => printed().size === put.length, 60_000, 200);
  expect([...printed()].sort()).toEqual(put.map((_, i) => `efo-${i}`).sort());
  const events = proc.lines.filter((l) => l.includes('"type"')).map((l) => JSON.parse(l));
  expect(
    events.some((e) => e.type === "warning" && e.message.includes("Registered enhanced fan-out consumer")),
  ).toBe(true);
  expect(events.filter((e) => String(e.message ?? "").includes("FALLING BACK"))).toEqual([]);

  const list = startProcess("list", [MAIN, "consumers", "list", "--stream", stream, "--json"], {
    cwd: ROOT,
    env,
  });
  expect((await list.exited).code).toBe(0);
  const consumers = JSON.parse(list.lines.join("\n")) as { consumerName: string; status: string }[];
  expect(consumers.map((c) => [c.consumerName, c.status])).toEqual([[app, "ACTIVE"]]);

  proc.signal("SIGTERM");
  expect((await proc.exited).code).toBe(0);
}, 120_000);
