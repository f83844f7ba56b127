// The embedded emulators survive a client that disconnects mid-request, on Bun, Deno, Node and in
// the compiled binary: kinesalite and dynalite rethrow request errors, which used to crash
// `kcl-ts local`, `--local` and the demo (seen first under Deno when a demo worker stopped with a
// request in flight). The PartiQL extension of the embedded dynalite is checked on each runtime too.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../build/binary.ts";
import { compiledBinary, runBinary, tempDir } from "../binary/support.ts";
import { BUN } from "../support/processes.ts";

const FIXTURE = join(import.meta.dir, "fixtures", "aborted-request.ts");
const bin = (name: string) => join(PROJECT_ROOT, "node_modules", ".bin", name);
const RUNTIMES: Record<string, () => Promise<[string, string[]]>> = {
  bun: async () => [BUN, [FIXTURE]],
  deno: async () => [bin("deno"), ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), FIXTURE]],
  node: async () => [bin("tsx"), [FIXTURE]],
  "compiled binary": async () => [(await compiledBinary(FIXTURE)).outfile, []],
};

describe("embedded emulators and aborted requests", () => {
  test.each(Object.keys(RUNTIMES))(
    "%s: the emulators keep serving after a client drops mid-request",
    async (name) => {
      const [exe, args] = await RUNTIMES[name]!();
      const run = await runBinary(exe, args, {
        cwd: tempDir("kcl-ts-abort"),
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
        timeoutMs: 60_000,
      });
      const last = run.stdout.trim().split("\n").pop() ?? "";
      expect({ code: run.code, last, stderr: run.code === 0 ? "" : run.stderr.slice(-1500) }).toEqual({
        code: 0,
        last: JSON.stringify({ served: true, batch: ["ok", "ConditionalCheckFailed"] }),
        stderr: "",
      });
    },
    90_000,
  );
});
