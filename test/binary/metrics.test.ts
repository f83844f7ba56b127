// The compiled binary (prom-client bundled, copied where no node_modules is reachable) serves
// /metrics, /healthz and /readyz: consume --local --metrics-port 0, scraped and parsed strictly.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../support/aws.ts";
import { killAll, startProcess } from "../support/processes.ts";
import { probe, SPEC_METRICS, scrape } from "../metrics/support.ts";
import { copyTsPlugin } from "./fixtures/setup.ts";
import { compiledBinary, tempDir } from "./support.ts";

let dir: string;
let exe: string;

beforeAll(async () => {
  const built = await compiledBinary();
  dir = tempDir("kcl-ts-metrics");
  exe = join(dir, "kcl-ts");
  copyFileSync(built.outfile, exe);
}, 180_000);

afterAll(async () => {
  await killAll();
});

describe("compiled binary: --metrics-port", () => {
  test("consume --local --metrics-port 0 serves every §10 metric and the probes", async () => {
    const plugin = copyTsPlugin(dir);
    const proc = startProcess(
      "binary consume --metrics-port",
      [
        ...["consume", "--local", "--shards", "2", "--plugin", plugin],
        ...["--stream", "metrics-bin", "--app", "metrics-bin", "--output", "json", "--metrics-port", "0"],
      ],
      { exe, cwd: dir, env: { PATH: dir, HOME: dir, KCL_E2E_OUT: join(dir, "out.jsonl") } },
    );
    try {
      const url = await waitFor(
        "the metrics address on stderr",
        () => /metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(proc.stderr())?.[1],
        60_000,
      );
      await waitFor("ready", async () => (await probe(url, "/readyz")).status === 200, 60_000);
      const s = await waitFor(
        "both leases held",
        async () => {
          const s = await scrape(url);
          return s.value("kcl_leases_held") === 2 ? s : undefined;
        },
        60_000,
      );
      for (const [name, type] of Object.entries(SPEC_METRICS))
        expect([name, s.families.get(name)?.type]).toEqual([name, type]);
      expect(await probe(url, "/healthz")).toEqual({ status: 200, body: "ok\n" });
      proc.signal("SIGINT");
      expect((await proc.exited).code).toBe(0);
    } finally {
      await proc.kill();
    }
  }, 180_000);
});
