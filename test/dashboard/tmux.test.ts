// End to end in a real terminal: `kcl-ts consume` with the dashboard inside tmux, driven by key
// presses, its screen read back with capture-pane (issue 6 acceptance). Each run uses its own tmux
// server socket, so a user's tmux sessions are never touched; the server is killed in afterAll.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { createStream, scanTable, uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { BUN } from "../support/processes.ts";

const ROOT = resolve(import.meta.dir, "../..");
const SOCKET = `kcl-ts-dash-${process.pid}`;
const PLUGIN = "plugins/print-records.ts";
const SHARD_ROW = /^[> ] shardId-\d{12} +(acquired|initializing|processing)\b/;

function tmux(...args: string[]): string {
  const r = spawnSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** Starts `command` in a new detached session; the shell reports the exit code and keeps the pane. */
function startSession(name: string, command: string[], env: Record<string, string> = {}): void {
  const envPart = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`);
  const line = [
    `cd ${quote(ROOT)} &&`,
    envPart.length > 0 ? `env ${envPart.join(" ")}` : "",
    command.map(quote).join(" "),
    '; echo "__EXIT_$?__"; sleep 600',
  ].join(" ");
  tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40", line);
}

function screen(name: string): string {
  return tmux("capture-pane", "-p", "-t", name);
}

async function waitForScreen(name: string, what: string, test: (s: string) => boolean, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  let last = "";
  for (;;) {
    last = screen(name);
    if (test(last)) return last;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen was:\n${last}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const leaseRows = (s: string) => s.split("\n").filter((l) => SHARD_ROW.test(l));
const exitCode = (s: string) => /__EXIT_(\d+)__/.exec(s)?.[1];

/** Waits for the dashboard to show four lease rows; fails with the screen if kcl-ts exits first. */
async function waitForFourLeases(name: string): Promise<string> {
  const s = await waitForScreen(name, "four lease rows", (s) => leaseRows(s).length === 4 || !!exitCode(s));
  if (exitCode(s))
    throw new Error(`kcl-ts exited with code ${exitCode(s)} before showing four leases:\n${s}`);
  return s;
}

beforeAll(() => {
  const probe = spawnSync("tmux", ["-V"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      "tmux is not installed: the dashboard's end-to-end test drives a real terminal through tmux. " +
        "Install it (apt-get install tmux; .ci/run does this) and run the tests again.",
    );
  }
});

afterAll(() => {
  // Our own server only (unique socket): ends every consume process this suite started.
  spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
});

describe("dashboard in tmux", () => {
  test("consume --local: header, four lease rows, event log; ↓ Enter shows details; q exits 0 releasing leases", async () => {
    startSession("local", [
      BUN,
      "cli/main.ts",
      "consume",
      "--local",
      "--plugin",
      PLUGIN,
      "--stream",
      "demo",
      "--app",
      "demo-dash",
      "--output",
      "dashboard",
    ]);
    const main = await waitForFourLeases("local");
    expect(main).toMatch(/kcl-ts demo-dash · stream demo/);
    expect(main).toMatch(/worker \S+ · running · up /);
    expect(main).toMatch(/leases 4\/4 · workers 1/);
    expect(leaseRows(main).map((l) => l.slice(2, 22))).toEqual(
      [0, 1, 2, 3].map((n) => `shardId-00000000000${n}`),
    );
    const log = main.slice(main.indexOf("Events"));
    expect(log).toMatch(/\d\d:\d\d:\d\d acquired shardId-\d{12}/);

    tmux("send-keys", "-t", "local", "Down");
    await waitForScreen("local", "the second row selected", (s) => /^> shardId-000000000001/m.test(s));
    tmux("send-keys", "-t", "local", "Enter");
    const details = await waitForScreen("local", "the details view", (s) =>
      s.includes("Lease shardId-000000000001 ·"),
    );
    expect(details).toContain("held by this worker");
    expect(details).toMatch(/leaseOwner +\S+ \(this worker\)/);
    expect(details).toMatch(/leaseCounter +\d+/);
    expect(details).toMatch(/last heartbeat +[\d.]+m?s ago/);

    tmux("send-keys", "-t", "local", "Escape");
    await waitForScreen("local", "the main view again", (s) => s.includes("My leases (4)"));
    tmux("send-keys", "-t", "local", "q");
    const final = await waitForScreen("local", "kcl-ts to exit", (s) => !!exitCode(s), 45_000);
    expect(exitCode(final)).toBe("0");
    // --local's emulators die with the process: the final frame is the evidence here (the test
    // below checks the table itself).
    for (const n of [0, 1, 2, 3]) expect(final).toContain(`released shardId-00000000000${n}`);
    expect(final).toMatch(/leases 0\/\d/);
  }, 120_000);

  describe("against the test emulators", () => {
    const aws = awsForSuite();

    test("q releases every lease in the table; the dashboard survives a resize to 80 columns", async () => {
      const stream = uniqueName("dash");
      const app = uniqueName("dash-app");
      await createStream(aws.kinesis, stream, 4);
      startSession(
        "harness",
        [
          BUN,
          "cli/main.ts",
          "consume",
          "--plugin",
          PLUGIN,
          "--stream",
          stream,
          "--app",
          app,
          "--output",
          "dashboard",
        ],
        aws.env,
      );
      await waitForFourLeases("harness");
      const owners = (await scanTable(aws.dynamodb, app)).map((i) => i.leaseOwner?.S);
      expect(owners).toHaveLength(4);
      expect(owners.every((o) => o !== undefined)).toBe(true);

      tmux("resize-window", "-t", "harness", "-x", "80", "-y", "24");
      const narrow = await waitForScreen("harness", "the 80-column layout", (s) => s.includes(" BEAT "));
      expect(leaseRows(narrow)).toHaveLength(4);
      // One frame on screen: nothing left over from the 120-column frame the terminal re-wrapped.
      expect(narrow.match(/^kcl-ts \S+ · stream/gm)).toHaveLength(1);

      tmux("send-keys", "-t", "harness", "q");
      const final = await waitForScreen("harness", "kcl-ts to exit", (s) => !!exitCode(s), 45_000);
      expect(exitCode(final)).toBe("0");
      const items = await scanTable(aws.dynamodb, app);
      expect(items).toHaveLength(4);
      for (const item of items) expect(item.leaseOwner).toBeUndefined();
    }, 120_000);
  });
});
