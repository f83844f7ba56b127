// runLeasesList against dynalite: tables written the way the Java KCL 2.x and 3.x write them, the
// table/JSON/summary output, terminal sizing, and the missing-table / unreachable errors (exit 4).
import { beforeAll, describe, expect, test } from "bun:test";
import { type AttributeValue, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { runLeasesList } from "../../cli/commands/leases-list.ts";
import { formatLeaseTable } from "../../cli/leases/format.ts";
import type { LeaseItem } from "../../cli/leases/read.ts";
import { createTable, uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import fixtures from "./fixtures/java-kcl-tables.json" with { type: "json" };

const aws = awsForSuite();
let kcl2x: string;
let kcl3x: string;

async function writeTable(items: unknown[]): Promise<string> {
  const table = uniqueName("leases");
  await createTable(aws.dynamodb, table);
  for (const item of items) {
    await aws.dynamodb.send(
      new PutItemCommand({ TableName: table, Item: item as Record<string, AttributeValue> }),
    );
  }
  return table;
}

beforeAll(async () => {
  kcl2x = await writeTable(fixtures.kcl2x);
  kcl3x = await writeTable(fixtures.kcl3x);
});

function sink(tty?: { columns: number }) {
  let text = "";
  return {
    write: (s: string) => {
      text += s;
    },
    isTTY: tty !== undefined,
    columns: tty?.columns,
    text: () => text,
  };
}

async function list(args: Parameters<typeof runLeasesList>[0], tty?: { columns: number }, env = aws.env) {
  const stdout = sink(tty);
  const stderr = sink();
  const code = await runLeasesList(args, { stdout, stderr, env });
  return { code, out: stdout.text(), err: stderr.text() };
}

describe("leases list", () => {
  test("a Java KCL 2.x table: rows, states, parents, sub-sequence and the per-owner summary", async () => {
    const { code, out, err } = await list({ table: kcl2x });
    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out.split("\n");
    expect(lines[0]).toMatch(/^LEASE KEY\s+OWNER\s+COUNTER\s+CHECKPOINT\s+PARENTS\s+STATE\s+SWITCHES$/);
    const row = (key: string) => lines.find((l) => l.startsWith(key)) ?? "";
    expect(row("shardId-000000000000")).toMatch(/18234\s+SHARD_END\s+-\s+finished\s+0$/);
    expect(row("shardId-000000000001")).toContain(
      "49590338271490256608559692538361571095921575989136588898 +3",
    );
    expect(row("shardId-000000000001")).toMatch(/owned\s+1$/);
    expect(row("shardId-000000000002")).toMatch(
      /^shardId-000000000002\s+-\s+0\s+TRIM_HORIZON\s+shardId-000000000000\s+unowned/,
    );
    expect(out).toContain("3 leases; 1 owner");
    expect(out).toMatch(/ip-10-0-0-13\.ec2\.internal:9b8a7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d\s+1\n/);
    expect(out).toMatch(/unowned\s+1\n/);
    expect(out).toMatch(/finished\s+1\n/);
  });

  test("a Java KCL 3.x single table: only LEASE rows, handoff state, --json keeps every attribute", async () => {
    const table = await list({ app: kcl3x });
    expect(table.code).toBe(0);
    expect(table.out).not.toContain("Leader");
    expect(table.out).not.toContain("Migration3.0");
    expect(table.out).toMatch(/shardId-000000000000\s+worker-b\s+77\s+\S+\s+-\s+handoff/);
    expect(table.out).toContain("2 leases; 2 owners");

    const json = await list({ app: kcl3x, json: true });
    expect(json.code).toBe(0);
    const leases = JSON.parse(json.out) as LeaseItem[];
    expect(leases.map((l) => l.leaseKey)).toEqual(["shardId-000000000000", "shardId-000000000001"]);
    expect(leases[0]).toMatchObject({
      leaseOwner: "worker-b",
      checkpointOwner: "worker-a",
      leaseCounter: 77,
      checkpoint: "49590338271490256608559692538361571095921575989136588898",
      checkpointSubSequenceNumber: 0,
      throughputKBps: 12.345678,
      entityType: "LEASE",
    });
    const java2 = JSON.parse((await list({ table: kcl2x, json: true })).out) as LeaseItem[];
    expect(java2[0]?.childShardIds).toEqual(["shardId-000000000002", "shardId-000000000003"]);
    expect(java2[2]?.parentShardId).toEqual(["shardId-000000000000"]);
    expect(java2[2]?.leaseOwner).toBeUndefined();
  });

  test("fits the terminal: long owners and checkpoints are shortened with an ellipsis", async () => {
    const { out } = await list({ table: kcl2x }, { columns: 100 });
    const tableLines = out.split("\n").slice(0, 4);
    for (const line of tableLines) expect(line.length).toBeLessThanOrEqual(100);
    expect(out).toContain("…");
    // Sequence numbers differ at the end: the tail survives.
    expect(out).toMatch(/…\d*136588898 \+3/);
  });

  test("no --app/--table is a usage error (exit 2)", async () => {
    const { code, err } = await list({});
    expect(code).toBe(2);
    expect(err).toContain("--app");
  });

  test("a missing table is exit 4 naming the table, region and endpoint", async () => {
    const { code, err } = await list({ table: "no-such-table" });
    expect(code).toBe(4);
    expect(err).toContain('lease table "no-such-table" does not exist');
    expect(err).toContain("region us-east-1");
    expect(err).toContain(aws.dynamodbEndpoint);
  });

  test("an unreachable endpoint is exit 4 (no endless retrying)", async () => {
    const { code, err } = await list({ table: "t1x", dynamodbEndpoint: "http://127.0.0.1:9" });
    expect(code).toBe(4);
    expect(err).toContain("cannot reach DynamoDB");
    expect(err).toContain("http://127.0.0.1:9");
  });

  test("an empty table says so", async () => {
    const table = await writeTable([]);
    const { code, out } = await list({ table });
    expect(code).toBe(0);
    expect(out).toContain("has no leases yet");
  });
});

describe("formatLeaseTable", () => {
  test("never shrinks below the header and keeps every row", () => {
    const items: LeaseItem[] = [
      { leaseKey: "shardId-000000000001", leaseOwner: "w".repeat(80), leaseCounter: 1 },
    ];
    const lines = formatLeaseTable(items, 20);
    expect(lines.length).toBe(2);
    expect(lines[1]).toContain("w…");
  });
});
