// `kcl-ts consume --metrics-port` as users run it (a real process on the emulators): the printed
// endpoint serves every §10 metric, probes that follow the worker's life, and bad input exits 2.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStream, putRecords, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { startProcess } from "../support/processes.ts";
import { probe, SPEC_METRICS, scrape } from "./support.ts";

const ROOT = join(import.meta.dir, "..", "..");
const MAIN = join(ROOT, "cli", "main.ts");
const PRINT = "plugins/print-records.ts";
const FAST = ["--failover-ms", "3000", "--idle-time-ms", "200", "--shard-sync-ms", "2000"];

const aws = awsForSuite();
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) s.close();
});

function consume(args: string[]) {
  return startProcess("consume", [MAIN, "consume", "--plugin", PRINT, "--output", "json", ...args], {
    cwd: ROOT,
    env: aws.env,
  });
}

async function exitOf(args: string[]) {
  const proc = consume(["--stream", "s1", "--app", "app1", ...args]);
  const { code } = await proc.exited;
  return { code, err: proc.stderr() };
}

describe("consume --metrics-port", () => {
  test("port 0 from the config file: the printed endpoint serves §10 metrics; probes follow start and stop", async () => {
    const stream = uniqueName("cm");
    const app = uniqueName("cm-app");
    await createStream(aws.kinesis, stream, 1);
    await putRecords(
      aws.kinesis,
      stream,
      Array.from({ length: 12 }, (_, i) => ({ partitionKey: `k${i}`, data: `r${i}` })),
    );
    const dir = mkdtempSync(join(tmpdir(), "kcl-metrics-"));
    const config = join(dir, "kcl.json");
    writeFileSync(config, JSON.stringify({ "metrics-port": 0, metricsHost: "127.0.0.1" }));
    const proc = consume([
      "--stream",
      stream,
      "--app",
      app,
      "--initial-position",
      "TRIM_HORIZON",
      "--config",
      config,
      ...FAST,
    ]);
    const url = await waitFor(
      "the metrics address on stderr",
      () => /metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(proc.stderr())?.[1],
      30_000,
    );
    expect(url).not.toEndWith(":0");
    await waitFor("ready", async () => (await probe(url, "/readyz")).status === 200, 30_000);
    expect(await probe(url, "/healthz")).toEqual({ status: 200, body: "ok\n" });
    const s = await waitFor(
      "12 records",
      async () => {
        const s = await scrape(url);
        return s.sum("kcl_records_processed_total") === 12 ? s : undefined;
      },
      30_000,
    );
    for (const [name, type] of Object.entries(SPEC_METRICS))
      expect([name, s.families.get(name)?.type]).toEqual([name, type]);
    expect(s.value("kcl_leases_held")).toBe(1);
    // --output json stays the raw feed: no per-GetRecords events in it.
    expect(proc.lines.some((l) => l.includes('"records-fetched"'))).toBe(false);
    proc.signal("SIGINT");
    expect((await proc.exited).code).toBe(0);
    // The endpoint closes with the process.
    expect(
      await fetch(`${url}/healthz`).then(
        () => "open",
        () => "closed",
      ),
    ).toBe("closed");
  }, 60_000);
});

describe("consume --metrics-port: bad input exits 2", () => {
  test("a port in use: exit 2 naming the port", async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const { port } = server.address() as { port: number };
    const { code, err } = await exitOf(["--metrics-port", String(port)]);
    expect(code).toBe(2);
    expect(err).toContain(`--metrics-port ${port}: 127.0.0.1:${port} is already in use`);
  }, 30_000);

  test.each([
    [
      "a host that is not an address or name",
      ["--metrics-port", "0", "--metrics-host", "not a host"],
      '--metrics-host "not a host": not an IP address or host name',
    ],
    [
      "a dotted number that is no IPv4 address",
      ["--metrics-port", "0", "--metrics-host", "300.1.1.1"],
      '--metrics-host "300.1.1.1"',
    ],
    [
      "an address of no local interface",
      ["--metrics-port", "0", "--metrics-host", "192.0.2.1"],
      "--metrics-host 192.0.2.1: cannot listen there",
    ],
    [
      "a port out of range",
      ["--metrics-port", "70000"],
      "--metrics-port 70000: must be a whole number 0..65535",
    ],
    [
      "--metrics-host without --metrics-port",
      ["--metrics-host", "0.0.0.0"],
      "--metrics-host only applies with --metrics-port",
    ],
  ])(
    "%s",
    async (_name, args, message) => {
      const { code, err } = await exitOf(args);
      expect(code).toBe(2);
      expect(err).toContain(message);
    },
    30_000,
  );
});
