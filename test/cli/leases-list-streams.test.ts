// `leases list` on a Java KCL multi-stream table (test/fixtures/java-kcl/kcl-multistream.json, written to
// dynalite as the Java KCL writes it): one section per stream, rows keyed by shard id, stream read from
// the key or the `streamName` attribute; single-stream tables print as before.
import { beforeAll, describe, expect, test } from "bun:test";
import { type AttributeValue, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { runLeasesList } from "../../cli/commands/leases-list.ts";
import type { LeaseItem } from "../../cli/leases/read.ts";
import { formatLeaseSections } from "../../cli/leases/stream-sections.ts";
import { createTable, uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import entries from "../fixtures/java-kcl/kcl-multistream.json" with { type: "json" };

const aws = awsForSuite();
let table: string;

beforeAll(async () => {
  table = uniqueName("ms-leases");
  await createTable(aws.dynamodb, table);
  for (const e of entries) {
    await aws.dynamodb.send(
      new PutItemCommand({ TableName: table, Item: e.item as unknown as Record<string, AttributeValue> }),
    );
  }
});

async function list(json = false) {
  let out = "";
  let err = "";
  const code = await runLeasesList(
    { table, json },
    {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: aws.env,
    },
  );
  return { code, out, err };
}

describe("leases list: multi-stream tables", () => {
  test("a Java KCL multi-stream table: one section per stream, shard ids as rows, parents and states per stream", async () => {
    const { code, out, err } = await list();
    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out.split("\n");
    const orders = lines.indexOf("stream orders (123456789012:orders:1690000000) — 3 leases, 2 open");
    const payments = lines.indexOf("stream payments (123456789012:payments:1690003600) — 2 leases, 2 open");
    expect(orders).toBe(0);
    expect(payments).toBeGreaterThan(orders);
    expect(lines[orders + 1]).toMatch(/^SHARD\s+OWNER\s+COUNTER\s+CHECKPOINT\s+PARENTS\s+STATE\s+SWITCHES$/);
    const section = (from: number, to: number) => lines.slice(from, to).join("\n");
    const ordersRows = section(orders, payments);
    expect(ordersRows).toMatch(/\nshardId-000000000000\s+ip-10-0-0-12\S+\s+18234\s+SHARD_END\s+-\s+finished/);
    expect(ordersRows).toMatch(
      /\nshardId-000000000003\s+-\s+0\s+TRIM_HORIZON\s+shardId-000000000000\s+unowned/,
    );
    const paymentsRows = section(payments, lines.indexOf("", payments));
    expect(paymentsRows).toMatch(/\nshardId-000000000000\s+ip-10-0-0-13\S+\s+977\s+\d+\s+-\s+owned/);
    expect(paymentsRows).toMatch(/\nshardId-000000000001\s+ip-10-0-0-13\S+\s+12\s+LATEST/);
    expect(out).toContain("5 leases; 2 owners");
    expect(out).toMatch(/finished\s+1\n/);
  });

  test("--json keeps the Java attributes (streamName, shardId) of every lease", async () => {
    const { code, out } = await list(true);
    expect(code).toBe(0);
    const leases = JSON.parse(out) as LeaseItem[];
    expect(leases.map((l) => [l.streamName, l.shardId])).toEqual(
      entries.map((e) => [e.lease.streamName, e.lease.shardId]).sort((a, b) => `${a}`.localeCompare(`${b}`)),
    );
  });

  test("the stream comes from the key, else from the streamName attribute; leases with neither go last", () => {
    const items: LeaseItem[] = [
      { leaseKey: "shardId-000000000009" },
      {
        leaseKey: "legacy-key",
        streamName: "123456789012:clicks:1700000000",
        shardId: "shardId-000000000004",
      },
      { leaseKey: "123456789012:orders:1690000000:shardId-000000000001", leaseOwner: "w1" },
    ];
    const lines = formatLeaseSections(items);
    expect(lines.filter((l) => /^(stream|\(no stream\))/.test(l))).toEqual([
      "stream clicks (123456789012:clicks:1700000000) — 1 lease, 1 open",
      "stream orders (123456789012:orders:1690000000) — 1 lease, 1 open",
      "(no stream) — 1 lease, 1 open",
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^shardId-000000000004\s+-/));
    expect(lines[lines.length - 1]).toMatch(/^shardId-000000000009\s+-/);
  });

  test("a single-stream table prints the plain table (no sections)", () => {
    const lines = formatLeaseSections([
      { leaseKey: "shardId-000000000000" },
      { leaseKey: "shardId-000000000001" },
    ]);
    expect(lines[0]).toMatch(/^LEASE KEY\s+OWNER/);
    expect(lines.length).toBe(3);
  });
});
