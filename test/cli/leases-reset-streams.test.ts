// `leases reset` selection on a multi-stream table (the Java KCL fixture): --stream names one stream's
// leases, a shard id present in two streams needs --stream (or the full lease key).
import { describe, expect, test } from "bun:test";
import { selectLeases } from "../../cli/leases/reset-plan.ts";
import type { Lease } from "../../src/leases/lease.ts";
import entries from "../fixtures/java-kcl/kcl-multistream.json" with { type: "json" };

const leases = entries.map((e) => e.lease as unknown as Lease);
const keys = (selected: { lease: Lease }[]) => selected.map((s) => s.lease.leaseKey);
const ORDERS = "123456789012:orders:1690000000";
const PAYMENTS = "123456789012:payments:1690003600";

describe("leases reset on a multi-stream table", () => {
  test("--stream selects that stream's leases only", () => {
    expect(keys(selectLeases(leases, { stream: "payments" }, "t"))).toEqual([
      `${PAYMENTS}:shardId-000000000000`,
      `${PAYMENTS}:shardId-000000000001`,
    ]);
  });

  test("a shard id in two streams is ambiguous without --stream; --stream or the full key picks one", () => {
    expect(() => selectLeases(leases, { shard: ["shardId-000000000000"] }, "t")).toThrow(/matches 2 leases/);
    expect(keys(selectLeases(leases, { shard: ["shardId-000000000000"], stream: "orders" }, "t"))).toEqual([
      `${ORDERS}:shardId-000000000000`,
    ]);
    expect(keys(selectLeases(leases, { shard: [`${PAYMENTS}:shardId-000000000000`] }, "t"))).toEqual([
      `${PAYMENTS}:shardId-000000000000`,
    ]);
  });
});
