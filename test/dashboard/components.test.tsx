// The dashboard's rendered text for the acceptance snapshots (issue 6), via ink-testing-library.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { cleanup } from "ink-testing-library";
import { Dashboard } from "../../cli/dashboard/dashboard.tsx";
import { INITIAL_UI, type UiState } from "../../cli/dashboard/ui.ts";
import { foldStatus, type WorkerStatus } from "../../src/status/index.ts";
import { EventScript, FOLD_OPTIONS, leaseView } from "../status/events.ts";
import { renderAt, widestLine } from "./render.ts";
import {
  blockedChild,
  fourOwnedWithLag,
  lostAndStolen,
  ME,
  noLeases,
  processorError,
  shard,
} from "./scenarios.ts";

// Event times render as local HH:MM:SS: pin the zone so snapshots match everywhere.
const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = "UTC";
});
afterAll(() => {
  process.env.TZ = savedTz;
});
afterEach(() => cleanup());

function frame(status: WorkerStatus, ui: Partial<UiState> = {}, columns = 100, rows = 40): string {
  return renderAt(
    <Dashboard status={status} ui={{ ...INITIAL_UI, ...ui }} columns={columns} rows={rows} />,
    columns,
    rows,
  ).text();
}

function lineWith(text: string, needle: string): string {
  const line = text.split("\n").find((l) => l.includes(needle));
  if (line === undefined) throw new Error(`no line with ${JSON.stringify(needle)} in:\n${text}`);
  return line;
}

describe("snapshots of the main view", () => {
  test("no leases yet", () => {
    const text = frame(noLeases());
    expect(text).toContain("kcl-ts demo-dash · stream demo · us-east-1 · http://127.0.0.1:4567");
    expect(text).toContain("worker worker-me · running · up 1.5s");
    // Assigner mode: the worker line says which worker is the fleet's assigner.
    const assigner = noLeases();
    expect(frame({ ...assigner, header: { ...assigner.header, assigner: true } })).toContain(
      "worker worker-me · running · assigner · up 1.5s",
    );
    expect(text).toContain("leases 0/0 · workers 1 · 0 rec/s");
    expect(text).toContain("no leases held yet");
    expect(text).toContain("Fleet waiting for the first lease table scan");
    expect(text).toMatchSnapshot();
  });

  test("four owned leases with lag", () => {
    const text = frame(fourOwnedWithLag());
    expect(lineWith(text, "leases")).toContain("leases 4/4 · workers 1");
    const rows = text.split("\n").filter((l) => /shardId-00000000000[0-3] processing/.test(l));
    expect(rows).toHaveLength(4);
    expect(lineWith(text, shard(3))).toMatch(/ 10\.4s +15\.0s /); // heartbeat (never renewed) and lag
    expect(lineWith(text, shard(0))).toMatch(/^> /); // first row selected
    expect(text).toMatchSnapshot();
  });

  test("a lease lost and a steal in the event log", () => {
    const text = frame(lostAndStolen());
    expect(text).toContain(`lost ${shard(3)} to worker-b (stolen)`);
    expect(text).toContain(`stole ${shard(5)} from worker-c`);
    expect(text).toContain(`${shard(5)} of worker-c expired (counter unchanged 10.3s)`);
    expect(text).toContain(`Fleet ${ME} 4 (me) · worker-b 2`);
    expect(text).toMatchSnapshot();
  });

  test("a blocked child shard", () => {
    const text = frame(blockedChild());
    expect(lineWith(text, shard(6))).toContain("wait parents");
    expect(text).toContain(`${shard(6)} waiting on parent ${shard(1)}`);
    expect(text).toContain(`${shard(7)} waiting on parent ${shard(1)}`);
    expect(text).toMatchSnapshot();
  });

  test("a processor error", () => {
    const text = frame(processorError());
    expect(lineWith(text, shard(2))).toMatch(/retrying .* 3$/);
    expect(lineWith(text, "leases")).toContain("errors 3");
    expect(text).toContain(`processor error on ${shard(2)} (attempt 3, retry in 8.0s): TypeError`);
    expect(text).toMatchSnapshot();
  });

  test("an 80-column terminal", () => {
    const text = frame(fourOwnedWithLag(), {}, 80, 24);
    expect(widestLine(text)).toBeLessThanOrEqual(80);
    expect(text.split("\n").length).toBeLessThan(24);
    for (const n of [0, 1, 2, 3]) expect(text).toContain(shard(n));
    expect(text).toContain("SHARD");
    expect(text).toContain("TREND");
    expect(text).toMatchSnapshot();
  });
});

describe("other views", () => {
  test("the fleet's lease table (Tab) marks blocked children and shows every owner", () => {
    const text = frame(blockedChild(), { tab: "fleet" }, 120);
    expect(text).toContain("Fleet lease table (4)");
    expect(lineWith(text, shard(1))).toContain("worker-b");
    expect(lineWith(text, `${shard(7)} -`)).toMatch(/blocked .*shardId-000000000001$/);
    expect(text).toMatchSnapshot();
  });

  test("details of a lease: attributes, lineage, last error, lag trend", () => {
    const text = frame(processorError(), { view: "details", selectedKey: shard(2), selectedIndex: 2 });
    expect(text).toContain(`Lease ${shard(2)} · held by this worker`);
    expect(lineWith(text, "last error")).toContain("attempt 3, retry in 8.0s: TypeError");
    expect(lineWith(text, "processor errors")).toContain("3");
    expect(text).toContain("not in the last lease table scan yet");
    const lagged = frame(fourOwnedWithLag(), { view: "details", selectedKey: shard(3), selectedIndex: 3 });
    expect(lineWith(lagged, "leaseOwner")).toContain(`${ME} (this worker)`);
    expect(lineWith(lagged, "checkpoint ")).toContain(
      "49590338271490256608559692538361571095921575989130000103",
    );
    expect(lineWith(lagged, "ownerSwitchesSinceCheckpoint")).toContain("0");
    expect(lineWith(lagged, "lag trend")).toMatch(/[▁▂▃▄▅▆▇█]{10} +last 10 s, max 55.5s/);
    expect(lagged).toMatchSnapshot();
  });

  test("details of a blocked child show its parent's standing", () => {
    const text = frame(blockedChild(), { view: "details", selectedKey: shard(6), selectedIndex: 1 });
    expect(text).toContain(`waiting on parent ${shard(1)}`);
    expect(lineWith(text, "parentShardId")).toContain(`${shard(1)} (owned by worker-b)`);
    expect(lineWith(text, "state")).toContain(`wait parents (parent ${shard(1)} not at SHARD_END)`);
  });

  test("details of a lease taken after the last scan show this worker's owner, counter and checkpoint", () => {
    const script = new EventScript()
      .emit({ type: "worker-started", app: "demo-dash", stream: "demo", table: "demo-dash" })
      .emit({
        type: "lease-table-scanned",
        leases: [leaseView(0, { leaseCounter: 0, checkpoint: "LATEST" })],
        liveWorkers: [ME],
      })
      .step(100)
      .emit({ type: "lease-acquired", leaseKey: shard(0), leaseCounter: 1, how: "unowned" })
      .emit({ type: "lease-renewed", leaseKey: shard(0), leaseCounter: 3 })
      .emit({
        type: "checkpoint-written",
        shardId: shard(0),
        sequenceNumber: "1234",
        subSequenceNumber: 2,
        by: "auto",
      });
    const text = frame(foldStatus(script.events, FOLD_OPTIONS, script.t), { view: "details" });
    expect(lineWith(text, "leaseOwner")).toContain(`${ME} (this worker)`);
    expect(lineWith(text, "leaseCounter")).toMatch(/leaseCounter +3$/);
    expect(lineWith(text, "checkpoint ")).toMatch(/checkpoint +1234$/);
    expect(lineWith(text, "checkpointSubSequenceNumber")).toMatch(/ 2$/);
    expect(text).toContain(
      "lease table as of 12:00:00; owner, counter and checkpoint as this worker knows them",
    );
  });

  test("help lists the keys", () => {
    const text = frame(noLeases(), { view: "help" });
    for (const key of ["Enter", "Esc", "Tab", "q", "?"]) expect(text).toContain(`  ${key}`);
    expect(text).toContain("failover 10.0s");
  });

  test("many leases in a short terminal scroll with the selection", () => {
    const status = fourOwnedWithLag();
    const many = {
      ...status,
      leases: Array.from({ length: 30 }, (_, i) => ({ ...status.leases[0]!, leaseKey: shard(i) })),
    };
    const text = frame(many, { selectedKey: shard(20), selectedIndex: 20 }, 80, 24);
    expect(text.split("\n").length).toBeLessThan(24);
    expect(lineWith(text, shard(20))).toMatch(/^> /);
    expect(text).not.toContain(shard(0));
    expect(text).toMatch(/… \d+ more/);
  });

  test("stopping: the footer says so", () => {
    expect(frame(noLeases(), { stopRequested: true })).toContain(
      "stopping: final checkpoints, releasing leases…",
    );
  });
});
