// The dashboard of a multi-stream worker: the header names every stream, rows read stream/shardId and
// stay grouped by stream (in both tables), and per-lease figures are found by the lease key.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { cleanup } from "ink-testing-library";
import { Dashboard } from "../../cli/dashboard/dashboard.tsx";
import { shardLabel } from "../../cli/dashboard/format.ts";
import { INITIAL_UI, type UiState } from "../../cli/dashboard/ui.ts";
import { foldStatus } from "../../src/status/index.ts";
import { EventScript, FOLD_OPTIONS, leaseView, ME, shard } from "../status/events.ts";
import { renderAt } from "./render.ts";

const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = "UTC";
});
afterAll(() => {
  process.env.TZ = savedTz;
});
afterEach(() => cleanup());

const ORDERS = "123456789012:orders:1690000000";
const PAYMENTS = "123456789012:payments:1690003600";
const KEYS = [`${PAYMENTS}:${shard(0)}`, `${ORDERS}:${shard(1)}`, `${ORDERS}:${shard(0)}`];

function status() {
  const s = new EventScript().emit({
    type: "worker-started",
    app: "demo-dash",
    stream: "orders",
    streams: ["orders", "payments"],
    table: "demo-dash",
  });
  s.step(500).emit({
    type: "lease-table-scanned",
    leases: KEYS.map((leaseKey) => leaseView(0, { leaseKey, leaseOwner: ME })),
    liveWorkers: [ME],
  });
  for (const [i, key] of KEYS.entries()) {
    s.emit({ type: "lease-acquired", leaseKey: key, leaseCounter: 2, how: "unowned" });
    s.emit({ type: "shard-state", shardId: key, state: "processing" });
    s.emit({ type: "records-processed", shardId: key, count: 100 * (i + 1), bytes: 10, durationMs: 1 });
  }
  return foldStatus(s.step(1000).events, FOLD_OPTIONS, s.t);
}

function frame(ui: Partial<UiState> = {}): string {
  const ui2 = { ...INITIAL_UI, ...ui };
  return renderAt(<Dashboard status={status()} ui={ui2} columns={110} rows={40} />, 110, 40).text();
}

describe("dashboard: multi-stream", () => {
  test("header names both streams; held leases as stream/shardId, grouped by stream", () => {
    const text = frame();
    expect(text).toContain("stream orders, payments");
    const rows = text.split("\n").filter((l) => /(orders|paymen…)\/\d+ /.test(l));
    const order = rows.map((l) => l.match(/(orders|paymen…)\/\d+/)![0]);
    // 110 columns: the SHARD column is 20 wide, so the shardId- prefix goes, then the name is cut.
    expect(order).toEqual(["orders/000000000000", "orders/000000000001", "paymen…/000000000000"]);
    // Figures are found by lease key: 300 rec/s on orders shard 0, 100 on payments shard 0.
    expect(rows[0]).toMatch(/ 300 +0$/);
    expect(rows[2]).toMatch(/ 100 +0$/);
    expect(text).toContain("leases 3/3");
  });

  test("the fleet table groups the same way", () => {
    const text = frame({ tab: "fleet" });
    const order = text.split("\n").flatMap((l) => l.match(/^. (orders|paymen…)\/\d+/)?.[0].slice(2) ?? []);
    expect(order).toEqual(["orders/000000000000", "orders/000000000001", "paymen…/000000000000"]);
  });

  test("shardLabel: full when it fits; else the shardId- prefix goes, then the stream name is cut", () => {
    expect(shardLabel(`${ORDERS}:${shard(3)}`, 28)).toBe(`orders/${shard(3)}`.padEnd(28));
    expect(shardLabel(`${ORDERS}:${shard(3)}`, 20)).toBe("orders/000000000003 ");
    expect(shardLabel(`123456789012:a-very-long-stream-name:1:${shard(3)}`, 28)).toBe(
      "a-very-long-st…/000000000003",
    );
    expect(shardLabel(shard(3), 28)).toBe(shard(3).padEnd(28));
  });
});
