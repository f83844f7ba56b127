// Enhanced fan-out on every runtime kcl-ts ships for, besides Bun from source (test/cli/consume-efo):
// `consume --retrieval efo` from source on Node (tsx) and Deno, and the compiled binary run from a
// directory without node_modules, each subscribed to kinesis-mock through the test relay (SubscribeToShard
// over the SDK's HTTP/2 handler), leases on dynalite. A runtime whose HTTP/2 client could not carry the
// event stream would fall back to polling and still deliver: the test fails on that warning, so "every
// record" here means every record by SubscribeToShard.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../build/binary.ts";
import { awaitDelivery, copyTsPlugin, type SeededStream, seedStream } from "../binary/fixtures/setup.ts";
import { compiledBinary, tempDir } from "../binary/support.ts";
import { uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { type KinesisMock, startKinesisMock } from "../support/kinesis-mock.ts";
import { startProcess } from "../support/processes.ts";

const MAIN = join(PROJECT_ROOT, "cli", "main.ts");
const TSX = join(PROJECT_ROOT, "node_modules", ".bin", "tsx");
const DENO = join(PROJECT_ROOT, "node_modules", ".bin", "deno");
const RECORDS = 40;

const dynamo = awsForSuite();
let mock: KinesisMock;
let binary: string;

beforeAll(async () => {
  const [built, m] = await Promise.all([compiledBinary(), startKinesisMock()]);
  mock = m;
  binary = join(tempDir("kcl-ts-efo-binary"), "kcl-ts");
  copyFileSync(built.outfile, binary);
}, 180_000);

afterAll(async () => {
  await mock?.stop();
});

/** The machine's node for tsx (bun's node shim must not be the one found). */
const NODE_PATH = (process.env.PATH ?? "")
  .split(":")
  .filter((p) => !p.includes("bun-node"))
  .join(":");

interface Runtime {
  name: string;
  exe: () => string;
  args: (consume: string[]) => string[];
  env?: Record<string, string>;
}

const RUNTIMES: Runtime[] = [
  { name: "Node (tsx)", exe: () => TSX, args: (c) => [MAIN, ...c], env: { PATH: NODE_PATH } },
  {
    name: "Deno",
    exe: () => DENO,
    args: (c) => ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), MAIN, ...c],
  },
  { name: "the compiled binary", exe: () => binary, args: (c) => c, env: { PATH: "/nonexistent" } },
];

describe("consume --retrieval efo", () => {
  for (const runtime of RUNTIMES) {
    test(`${runtime.name}: every record through SubscribeToShard, no fall back, SIGTERM exits 0`, async () => {
      const dir = tempDir("kcl-ts-efo-runtime");
      const plugin = copyTsPlugin(dir);
      const out = join(dir, "delivered.jsonl");
      const seeded: SeededStream = await seedStream(mock, uniqueName("efo-rt"), 2, RECORDS);
      const consume = startProcess(
        `efo ${runtime.name}`,
        runtime.args([
          "consume",
          ...["--plugin", plugin, "--stream", seeded.stream, "--app", uniqueName("efo-rt-app")],
          ...["--retrieval", "efo", "--initial-position", "TRIM_HORIZON", "--output", "json"],
        ]),
        {
          exe: runtime.exe(),
          cwd: dir,
          env: {
            ...dynamo.env,
            AWS_ENDPOINT_URL_KINESIS: mock.subscribeEndpoint,
            KCL_E2E_OUT: out,
            ...runtime.env,
          },
        },
      );
      await awaitDelivery(seeded, out, consume, 90_000);
      const events = consume.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      const subscribed = events.filter((e) => e.type === "warning" && /fan-out consumer/.test(e.message));
      expect(subscribed.length).toBeGreaterThan(0);
      const fallBack = [...consume.lines, consume.stderr()].filter((l) => l.includes("FALLING BACK"));
      expect(fallBack).toEqual([]);
      consume.signal("SIGTERM");
      const exit = await consume.exited;
      expect({ code: exit.code, stderr: exit.code === 0 ? "" : consume.stderr().slice(-2000) }).toEqual({
        code: 0,
        stderr: "",
      });
    }, 150_000);
  }
});
