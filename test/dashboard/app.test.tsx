// The interactive dashboard: keys move the selection, open details and help, switch tables, quit once.
import { afterEach, describe, expect, test } from "bun:test";
import { cleanup, render } from "ink-testing-library";
import { stripVTControlCharacters } from "node:util";
import { App } from "../../cli/dashboard/app.tsx";
import { StatusStore } from "../../cli/dashboard/store.ts";
import { INITIAL_UI, onKey, selectedRow } from "../../cli/dashboard/ui.ts";
import { StatusFold } from "../../src/status/index.ts";
import { EventScript, FOLD_OPTIONS, leaseView, ME, shard } from "../status/events.ts";
import { resize, settle } from "./render.ts";

afterEach(() => cleanup());

const KEY = { up: "\u001B[A", down: "\u001B[B", enter: "\r", esc: "\u001B", tab: "\t", ctrlC: "\u0003" };

function storeWithFourLeases() {
  const script = new EventScript().emit({
    type: "worker-started",
    app: "demo-dash",
    stream: "demo",
    table: "demo-dash",
  });
  for (const n of [0, 1, 2, 3]) {
    script.emit({ type: "lease-acquired", leaseKey: shard(n), leaseCounter: 1, how: "unowned" });
    script.emit({ type: "shard-state", shardId: shard(n), state: "processing" });
  }
  script.emit({
    type: "lease-table-scanned",
    liveWorkers: [ME, "worker-b"],
    leases: [0, 1, 2, 3, 4].map((n) => leaseView(n, { leaseOwner: n < 4 ? ME : "worker-b" })),
  });
  const fold = new StatusFold(FOLD_OPTIONS);
  for (const e of script.events) fold.apply(e);
  return { store: new StatusStore(fold, () => script.t + 1000), script };
}

function mount() {
  const { store, script } = storeWithFourLeases();
  const calls = { quit: 0, interrupt: 0 };
  const r = render(<App store={store} onQuit={() => calls.quit++} onInterrupt={() => calls.interrupt++} />);
  resize(r, 100, 40);
  const text = () => stripVTControlCharacters(r.lastFrame() ?? "");
  const press = async (key: string, wait = 40) => {
    r.stdin.write(key);
    await settle(wait);
  };
  return { r, store, script, calls, text, press };
}

const selectedLine = (text: string) => text.split("\n").find((l) => l.startsWith("> "));

describe("App", () => {
  test("↓ then Enter opens the second lease's details; Esc goes back", async () => {
    const { text, press } = mount();
    await settle();
    expect(selectedLine(text())).toContain(shard(0));
    await press(KEY.down);
    expect(selectedLine(text())).toContain(shard(1));
    await press(KEY.enter);
    expect(text()).toContain(`Lease ${shard(1)} · held by this worker`);
    expect(text()).toContain("leaseCounter");
    await press(KEY.down);
    expect(text()).toContain(`Lease ${shard(2)}`); // ↓ in details moves to the next lease
    await press(KEY.esc, 150); // a lone ESC is told apart from a sequence by a short delay
    expect(text()).toContain("My leases (4)");
    expect(selectedLine(text())).toContain(shard(2));
  });

  test("Tab switches to the fleet's lease table and back", async () => {
    const { text, press } = mount();
    await press(KEY.tab);
    expect(text()).toContain("Fleet lease table (5)");
    expect(text()).toContain("worker-b");
    await press("j");
    await press("j");
    await press("j");
    await press("j");
    expect(selectedLine(text())).toContain(shard(4));
    await press(KEY.tab);
    expect(text()).toContain("My leases (4)");
    expect(selectedLine(text())).toContain(shard(3)); // shard 4 is not ours: the selection stays in range
  });

  test("? toggles help; q requests a stop exactly once; Ctrl+C is passed on as an interrupt", async () => {
    const { text, press, calls } = mount();
    await press("?");
    expect(text()).toContain("Keys");
    await press("?");
    expect(text()).toContain("My leases (4)");
    await press("q");
    await press("q");
    expect(calls.quit).toBe(1);
    expect(text()).toContain("stopping: final checkpoints, releasing leases…");
    await press(KEY.ctrlC);
    await press(KEY.ctrlC);
    expect(calls.interrupt).toBe(2);
  });

  test("renders the store's newer snapshots and follows a resize to 80 columns", async () => {
    const { r, store, script, text } = mount();
    store.apply({
      ...script.events[0]!,
      type: "lease-released",
      leaseKey: shard(0),
      leaseCounter: 5,
    } as never);
    store.refresh(true);
    await settle();
    expect(text()).toContain("My leases (3)");
    expect(text()).toContain(`released ${shard(0)}`);
    resize(r, 80, 24);
    await settle();
    expect(text()).toContain("BEAT");
    expect(
      Math.max(
        ...text()
          .split("\n")
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(80);
  });
});

describe("onKey (pure)", () => {
  const keys = [shard(0), shard(1), shard(2)];

  test("selection is clamped and follows its lease when rows move", () => {
    let [ui] = onKey(INITIAL_UI, "up", keys);
    expect(selectedRow(ui, keys)).toBe(0);
    [ui] = onKey(ui, "pageDown", keys);
    expect(ui.selectedKey).toBe(shard(2));
    expect(selectedRow(ui, [shard(2), shard(5)])).toBe(0);
    expect(selectedRow(ui, [shard(7)])).toBe(0);
    expect(selectedRow(ui, [])).toBe(-1);
  });

  test("Enter on an empty table stays on the main view; Esc closes help", () => {
    expect(onKey(INITIAL_UI, "enter", [])[0].view).toBe("main");
    const [help] = onKey(INITIAL_UI, "help", keys);
    expect(help.view).toBe("help");
    expect(onKey(help, "down", keys)[0]).toBe(help);
    expect(onKey(help, "back", keys)[0].view).toBe("main");
  });
});

test("keys in one burst (↓ ↓ Enter in a single stdin chunk) each see the previous key's effect", async () => {
  const { text, press } = mount();
  await press(`${KEY.down}${KEY.down}${KEY.enter}`, 60);
  expect(text()).toContain(`Lease ${shard(2)} · held by this worker`);
});
