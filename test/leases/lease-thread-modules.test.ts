// With the lease thread on, the main thread never loads the lease table's modules (issue 14's memory
// target): every lease-table call it makes (start-up checks, shard sync, cleanup, drain) goes to the
// thread's store. Checked in a separate bun process running a real worker on the emulators; with the
// thread off the same probe sees the modules, so it does look. And the lease thread itself loads no
// AWS SDK module: its DynamoDB client is src/aws/dynamodb-http.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { runBinary, tempDir } from "../binary/support.ts";
import { createStream, uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";

const aws = awsForSuite();

async function probe(leaseThread: "on" | "off") {
  const stream = uniqueName("modules");
  await createStream(aws.kinesis, stream, 1);
  const run = await runBinary(
    process.execPath,
    [join(import.meta.dir, "fixtures", "main-thread-modules.ts")],
    {
      cwd: tempDir("kcl-ts-modules"),
      env: {
        ...aws.env,
        HOME: process.env.HOME ?? "",
        PATH: process.env.PATH ?? "",
        KCL_APP: uniqueName("modules-app"),
        KCL_STREAM: stream,
        LEASE_THREAD: leaseThread,
      },
      timeoutMs: 90_000,
    },
  );
  const summary = JSON.parse(run.stdout.trim().split("\n").pop() || "{}");
  expect({ code: run.code, error: summary.error, stderr: run.code === 0 ? "" : run.stderr }).toEqual({
    code: 0,
    error: undefined,
    stderr: "",
  });
  return summary as { loaded: string[]; clean: boolean };
}

test("lease thread on: the main thread loads no DynamoDB module, and the worker stops cleanly", async () => {
  const summary = await probe("on");
  expect(summary).toEqual({ loaded: [], clean: true });
}, 120_000);

test("lease thread off: the same probe finds the lease table's client and store on the main thread", async () => {
  const summary = await probe("off");
  expect(summary.clean).toBe(true);
  expect(summary.loaded.some((p) => p.endsWith("dynamodb-http/client.ts"))).toBe(true);
  expect(summary.loaded.some((p) => p.endsWith("dynamodb-store.ts"))).toBe(true);
}, 120_000);

test("the lease thread's modules include no AWS SDK module (@aws-sdk, @smithy)", async () => {
  const run = await runBinary(
    process.execPath,
    [join(import.meta.dir, "fixtures", "lease-thread-sdk-modules.ts")],
    {
      cwd: tempDir("kcl-ts-thread-modules"),
      env: { HOME: process.env.HOME ?? "", PATH: process.env.PATH ?? "" },
      timeoutMs: 60_000,
    },
  );
  expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr }).toEqual({ code: 0, stderr: "" });
  expect(JSON.parse(run.stdout.trim().split("\n").pop() || "{}")).toEqual({ loaded: [] });
}, 90_000);
