// `kcl-ts local`: one port serves both APIs (routed by X-Amz-Target), the stream is created, the
// producer puts records, and the command stops on a signal; bad flags are exit 2.
import { describe, expect, test } from "bun:test";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { EventEmitter } from "node:events";
import { createServer } from "node:net";
import { type LocalDeps, runLocal } from "../../cli/commands/local.ts";
import type { LocalServer } from "../../cli/local/server.ts";
import { routeTarget } from "../../cli/local/server.ts";
import { createDynamoDbClient, createKinesisClient } from "../../src/aws/clients.ts";
import { waitFor } from "../support/aws.ts";

function harness() {
  let out = "";
  let err = "";
  const signals = new EventEmitter();
  let ready: { server: LocalServer; stop: () => void } | undefined;
  const forced: number[] = [];
  const deps: LocalDeps = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    signals: signals as unknown as LocalDeps["signals"],
    forceExit: (c) => forced.push(c),
    onReady: (server, stop) => {
      ready = { server, stop };
    },
  };
  return { deps, signals, forced, out: () => out, err: () => err, ready: () => ready };
}

describe("routeTarget", () => {
  test("routes by service prefix", () => {
    expect(routeTarget("Kinesis_20131202.PutRecords")).toBe("kinesis");
    expect(routeTarget("DynamoDB_20120810.Scan")).toBe("dynamodb");
    expect(routeTarget(["DynamoDB_20120810.Scan"])).toBe("dynamodb");
    expect(routeTarget("AmazonSQS.SendMessage")).toBeUndefined();
    expect(routeTarget(undefined)).toBeUndefined();
  });
});

describe("runLocal", () => {
  test("serves Kinesis and DynamoDB on one endpoint, creates the stream, produces, stops on SIGINT", async () => {
    const h = harness();
    const running = runLocal({ port: 0, stream: "demo", shards: 3, produce: 50 }, h.deps);
    const { server } = await waitFor("local server ready", () => h.ready());
    const endpoint = h.out().match(/^export AWS_ENDPOINT_URL=(\S+)$/m)?.[1];
    expect(endpoint).toBe(server.endpoint);
    // Both SDK clients pointed at the same single URL, as AWS_ENDPOINT_URL would do.
    const env = { AWS_ENDPOINT_URL: endpoint };
    const kinesis = createKinesisClient({ env }).client;
    const dynamodb = createDynamoDbClient({ env }).client;
    try {
      const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "demo" }));
      expect(summary.StreamDescriptionSummary?.OpenShardCount).toBe(3);
      expect((await dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      // A request for neither service is refused with a message, not forwarded.
      const res = await fetch(endpoint!, {
        method: "POST",
        headers: { "x-amz-target": "AmazonSQS.X" },
        body: "{}",
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("serves Kinesis");
      await waitFor("some records produced", () => /producing 50 records\/s/.test(h.out()));
      // Not a fixed sleep: wait until a produced record is readable from the stream.
      await waitFor("a record in the stream", async () => {
        for (const shard of (await kinesis.send(new ListShardsCommand({ StreamName: "demo" }))).Shards ??
          []) {
          const { ShardIterator } = await kinesis.send(
            new GetShardIteratorCommand({
              StreamName: "demo",
              ShardId: shard.ShardId,
              ShardIteratorType: "TRIM_HORIZON",
            }),
          );
          const page = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
          if ((page.Records ?? []).length > 0) return true;
        }
        return false;
      });
    } finally {
      kinesis.destroy();
      dynamodb.destroy();
    }
    h.signals.emit("SIGINT");
    expect(await running).toBe(0);
    const produced = Number(h.out().match(/produced (\d+) records/)?.[1]);
    expect(produced).toBeGreaterThan(0);
    expect(h.err()).toContain("SIGINT: stopping");
    // The port is closed again.
    await expect(fetch(endpoint!, { method: "POST" })).rejects.toThrow();
  }, 30_000);

  test.each([
    [{ port: 70000 }, "--port"],
    [{ shards: 0, stream: "x" }, "--shards"],
    [{ produce: 5 }, "--produce needs --stream"],
    [{ produce: -1, stream: "x" }, "--produce"],
  ])("bad flags %#: exit 2", async (args, words) => {
    const h = harness();
    expect(await runLocal(args, h.deps)).toBe(2);
    expect(h.err()).toContain(words);
  });

  test("a port in use is exit 2 naming the port", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const h = harness();
      expect(await runLocal({ port }, h.deps)).toBe(2);
      expect(h.err()).toContain(`127.0.0.1:${port} is already in use`);
    } finally {
      blocker.close();
    }
  });
});
