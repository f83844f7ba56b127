// Daemon side of the MultiLangDaemon protocol against a scripted child that records every message and
// plays back answers (right and wrong): message shapes field for field, checkpoint requests and their
// answers, and every child failure (wrong status, junk line, exit, silence, shardEnded without checkpoint).
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChildFailedError, type Child } from "../../cli/multilang/child.ts";
import { multilangProcessor } from "../../cli/multilang/processor.ts";
import { InvalidCheckpointError, LeaseLostError, ThrottledError } from "../../src/core/errors.ts";
import type { Checkpointer, KinesisRecord, RecordProcessor } from "../../src/plugin.ts";

const SCRIPTED = join(import.meta.dir, "fixtures/scripted-child.mjs");
const NODE = Bun.which("node") ?? "node";
const live: Set<Child>[] = [];

afterEach(() => {
  for (const set of live.splice(0)) for (const c of set) c.kill();
});

interface Harness {
  processor: RecordProcessor;
  /** Every line the child received, as written. */
  raw(): string[];
  /** Every message the child received, in order (across respawns), and its EOFs. */
  received(): Record<string, unknown>[];
  stderr: string[];
  checkpoints: unknown[][];
  checkpointer: Checkpointer;
  /** What the next checkpoint calls throw (shifted per call). */
  refuse: unknown[];
}

let counter = 0;
async function harness(
  script: Record<string, unknown[]> = {},
  timeoutMs?: number,
  child: { argv: string[]; env?: Record<string, string> } = { argv: [NODE, SCRIPTED] },
): Promise<Harness> {
  const log = join(tmpdir(), `kcl-multilang-${process.pid}-${counter++}.jsonl`);
  writeFileSync(log, "");
  const children = new Set<Child>();
  live.push(children);
  const stderr: string[] = [];
  const checkpoints: unknown[][] = [];
  const refuse: unknown[] = [];
  const factory = multilangProcessor({
    argv: child.argv,
    cwd: tmpdir(),
    env: { ...process.env, SCRIPT_LOG: log, SCRIPT: JSON.stringify(script), ...child.env },
    timeoutMs,
    exitGraceMs: 2000,
    onStderr: (line) => stderr.push(line),
    children,
  });
  const processor = await factory({
    shardId: "shardId-000000000001",
    streamName: "s",
    applicationName: "a",
    workerId: "w",
  });
  return {
    processor,
    raw: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).raw as string | undefined)
        .filter((r): r is string => r !== undefined),
    received: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .map((e) => (e.eof ? { eof: true } : e.in)),
    stderr,
    checkpoints,
    refuse,
    checkpointer: {
      async checkpoint(...args: unknown[]) {
        checkpoints.push(args);
        const error = refuse.shift();
        if (error) throw error;
      },
    } as Checkpointer,
  };
}

const record = (seq: string, sub = 0, data = "hello"): KinesisRecord => ({
  data: new TextEncoder().encode(data),
  partitionKey: `pk-${seq}`,
  sequenceNumber: seq,
  subSequenceNumber: sub,
  approximateArrivalTimestamp: new Date(1_700_000_000_123),
  aggregated: sub > 0,
});

const START = { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 };
const signal = new AbortController().signal;

async function batch(h: Harness, records: KinesisRecord[], millisBehindLatest?: number) {
  await h.processor.processRecords({
    records,
    checkpointer: h.checkpointer,
    millisBehindLatest,
    shardId: "shardId-000000000001",
    isAtShardEnd: false,
    signal,
  });
}

describe("messages the daemon writes", () => {
  test("initialize, processRecords and leaseLost carry exactly the Java daemon's fields", async () => {
    const h = await harness();
    await h.processor.initialize!({
      shardId: "shardId-000000000001",
      streamName: "s",
      checkpoint: { sequenceNumber: "4960", subSequenceNumber: 2 },
    });
    await batch(h, [record("49601", 0, "héllo"), record("49602", 3)], 1500);
    await batch(h, [record("49603")]);
    await h.processor.leaseLost!({ shardId: "shardId-000000000001" });
    const got = h.received();
    expect(got[0]).toEqual({
      action: "initialize",
      shardId: "shardId-000000000001",
      sequenceNumber: "4960",
      subSequenceNumber: 2,
    });
    expect(got[1]).toEqual({
      action: "processRecords",
      records: [
        {
          action: "record",
          data: Buffer.from("héllo").toString("base64"),
          partitionKey: "pk-49601",
          sequenceNumber: "49601",
          subSequenceNumber: 0,
          approximateArrivalTimestamp: 1_700_000_000_123,
        },
        {
          action: "record",
          data: Buffer.from("hello").toString("base64"),
          partitionKey: "pk-49602",
          sequenceNumber: "49602",
          subSequenceNumber: 3,
          approximateArrivalTimestamp: 1_700_000_000_123,
        },
      ],
      millisBehindLatest: 1500,
    });
    // amazon_kclpy indexes millisBehindLatest: it must be present (null) when unknown.
    expect(Object.hasOwn(got[2]!, "millisBehindLatest")).toBe(true);
    expect(got[2]!.millisBehindLatest).toBeNull();
    expect(got[3]).toEqual({ action: "leaseLost" });
    expect(got[4]).toEqual({ eof: true });
  });

  test("byte for byte as the Java daemon's Jackson writes them (field order, nulls written)", async () => {
    const h = await harness({ processRecords: [[{ checkpoint: { sequenceNumber: "9" } }, "status"]] });
    await h.processor.initialize!({
      shardId: "shardId-000000000001",
      streamName: "s",
      checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
    });
    await batch(h, [record("9")]);
    await h.processor.leaseLost!({ shardId: "shardId-000000000001" });
    const data = Buffer.from("hello").toString("base64");
    expect(h.raw()).toEqual([
      '{"action":"initialize","shardId":"shardId-000000000001","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}',
      `{"action":"processRecords","records":[{"data":"${data}","partitionKey":"pk-9","sequenceNumber":"9","approximateArrivalTimestamp":1700000000123,"subSequenceNumber":0,"action":"record"}],"millisBehindLatest":null}`,
      '{"action":"checkpoint","sequenceNumber":"9","subSequenceNumber":null,"error":null}',
      '{"action":"leaseLost"}',
    ]);
  });

  test("an empty batch (callProcessRecordsEvenForEmptyRecordList) is a processRecords with records []", async () => {
    const h = await harness();
    await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
    await batch(h, [], 0);
    expect(h.received()[1]).toEqual({ action: "processRecords", records: [], millisBehindLatest: 0 });
  });

  test("stderr is forwarded line by line with the shard; empty stdout lines between messages are padding", async () => {
    const h = await harness({
      initialize: [[{ stderr: "line one\nline two" }, { raw: "" }, { raw: "" }, "status", { raw: "" }]],
    });
    await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
    await batch(h, [record("1")]);
    await h.processor.leaseLost!({ shardId: "shardId-000000000001" });
    expect(h.stderr).toEqual(["[shardId-000000000001] line one", "[shardId-000000000001] line two"]);
  });
});

describe("checkpoint requests from the child", () => {
  test("without and with sequence numbers: the checkpointer is called and the answer echoes the request", async () => {
    const h = await harness({
      processRecords: [
        [
          { checkpoint: { sequenceNumber: null } },
          { checkpoint: { sequenceNumber: "7", subSequenceNumber: 1 } },
          { checkpoint: { sequenceNumber: "8" } },
          "status",
        ],
      ],
    });
    await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
    await batch(h, [record("7", 1), record("8")]);
    expect(h.checkpoints).toEqual([[], ["7", 1], ["8", undefined]]);
    const answers = h.received().filter((m) => m.action === "checkpoint");
    expect(answers).toEqual([
      { action: "checkpoint", sequenceNumber: null, subSequenceNumber: null, error: null },
      { action: "checkpoint", sequenceNumber: "7", subSequenceNumber: 1, error: null },
      { action: "checkpoint", sequenceNumber: "8", subSequenceNumber: null, error: null },
    ]);
  });

  test("a refused checkpoint is answered with the Java exception name, and the batch still completes", async () => {
    const h = await harness({
      processRecords: [
        [
          { checkpoint: {} },
          { checkpoint: { sequenceNumber: "99" } },
          { checkpoint: {} },
          { checkpoint: {} },
          "status",
        ],
      ],
      initialize: [[{ checkpoint: {} }, "status"]],
    });
    h.refuse.push(
      new LeaseLostError("gone"),
      new InvalidCheckpointError("beyond"),
      new ThrottledError("slow"),
      new Error("boom"),
    );
    await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
    await batch(h, [record("5")]);
    const errors = h
      .received()
      .filter((m) => m.action === "checkpoint")
      .map((m) => m.error);
    // During initialize there is no checkpointer: Java answers InvalidStateException.
    expect(errors).toEqual([
      "InvalidStateException",
      "ShutdownException",
      "IllegalArgumentException",
      "ThrottlingException",
      "InvalidStateException",
    ]);
  });
});

describe("child failures are processor failures", () => {
  test("a status for the wrong action", async () => {
    const h = await harness({
      processRecords: [[{ write: { action: "status", responseFor: "initialize" } }]],
    });
    await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
    const failure = batch(h, [record("1")]);
    await expect(failure).rejects.toBeInstanceOf(ChildFailedError);
    await expect(failure).rejects.toThrow(
      /answered status for "initialize" while processRecords was expected/,
    );
  });

  test("a malformed line (not JSON, or an unknown action)", async () => {
    for (const raw of ["hello from print()", '{"action":"explode"}', '{"action":"status"}']) {
      const h = await harness({ processRecords: [[{ raw }]] });
      await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
      await expect(batch(h, [record("1")])).rejects.toThrow(/malformed line on stdout/);
    }
  });

  test("an exit before answering, naming the exit code", async () => {
    const h = await harness({ processRecords: [[{ exit: 3 }]] });
    await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
    await expect(batch(h, [record("1")])).rejects.toThrow(
      /exited with code 3 while kcl-ts waited for its answer to processRecords/,
    );
  });

  test("a crash at start fails initialize", async () => {
    const h = await harness({ initialize: [[{ stderr: "Traceback: ImportError" }, { exit: 1 }]] });
    const init = h.processor.initialize!({
      shardId: "shardId-000000000001",
      streamName: "s",
      checkpoint: START,
    });
    await expect(init).rejects.toThrow(/exited with code 1 while kcl-ts waited for its answer to initialize/);
    expect(h.stderr).toContain("[shardId-000000000001] Traceback: ImportError");
  });

  test("no answer within timeoutInSeconds", async () => {
    // Generous: the child must still start and answer initialize within the timeout on a loaded machine.
    const h = await harness({ processRecords: [[{ sleep: 60_000 }, "status"]] }, 3000);
    await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
    await expect(batch(h, [record("1")])).rejects.toThrow(
      /no answer to processRecords within timeoutInSeconds/,
    );
  }, 15_000);

  test("after a failure the next call starts a new child, initialized at the last checkpoint", async () => {
    const h = await harness({
      processRecords: [[{ checkpoint: { sequenceNumber: "10" } }, { exitOnce: 2 }, "status"]],
    });
    await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
    await expect(batch(h, [record("10"), record("11")])).rejects.toBeInstanceOf(ChildFailedError);
    await batch(h, [record("11")]);
    const inits = h.received().filter((m) => m.action === "initialize");
    expect(inits.map((m) => m.sequenceNumber)).toEqual(["TRIM_HORIZON", "10"]);
  });
});

describe("shard end and shutdown", () => {
  test("shardEnded with the checkpoint: checkpoint() reaches the checkpointer, then stdin is closed", async () => {
    const h = await harness({ shardEnded: [[{ checkpoint: { sequenceNumber: null } }, "status"]] });
    await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
    await h.processor.shardEnded!({ shardId: "shardId-000000000001", checkpointer: h.checkpointer });
    expect(h.checkpoints).toEqual([[]]);
    expect(h.received().slice(-3)).toEqual([
      { action: "shardEnded" },
      { action: "checkpoint", sequenceNumber: null, subSequenceNumber: null, error: null },
      { eof: true },
    ]);
  });

  test("shardEnded answered without checkpointing fails (the children could never start)", async () => {
    const h = await harness();
    await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
    await expect(
      h.processor.shardEnded!({ shardId: "shardId-000000000001", checkpointer: h.checkpointer }),
    ).rejects.toThrow(/answered shardEnded without checkpointing/);
  });

  test("shutdownRequested lets the child checkpoint, then leaseLost follows and stdin is closed (as the Java daemon)", async () => {
    const h = await harness({ shutdownRequested: [[{ checkpoint: {} }, "status"]] });
    await h.processor.initialize!({ shardId: "shardId-000000000001", streamName: "s", checkpoint: START });
    await batch(h, [record("3")]);
    await h.processor.shutdownRequested!({ shardId: "shardId-000000000001", checkpointer: h.checkpointer });
    expect(h.checkpoints).toEqual([[]]);
    expect(h.received().map((m) => m.action ?? "eof")).toEqual([
      "initialize",
      "processRecords",
      "shutdownRequested",
      "checkpoint",
      "leaseLost",
      "eof",
    ]);
  });
});

describe("AWS's aws-kcl client reads the daemon's messages as the Java daemon's", () => {
  const APP = join(import.meta.dir, "fixtures/aws-kcl-app.cjs");

  test("initialize, records, a granted and a refused checkpoint reach its callbacks; shardEnded and leaseLost", async () => {
    const h = await harness({}, undefined, { argv: [NODE, APP], env: { CHECKPOINT_EVERY_MS: "0" } });
    await h.processor.initialize!({
      shardId: "shardId-000000000001",
      streamName: "s",
      checkpoint: { sequenceNumber: "4960", subSequenceNumber: 1 },
    });
    await batch(h, [record("4961"), record("4962")]);
    h.refuse.push(new LeaseLostError("gone"));
    await batch(h, [record("4963")]);
    await h.processor.shardEnded!({ shardId: "shardId-000000000001", checkpointer: h.checkpointer });
    // aws-kcl passes action.sequenceNumber / action.subSequenceNumber on, and action.error as the callback's err.
    expect(h.stderr).toEqual([
      "[shardId-000000000001] initialize shardId-000000000001 at 4960/1",
      "[shardId-000000000001] checkpoint 4962: ok",
      "[shardId-000000000001] checkpoint 4963: error ShutdownException",
      "[shardId-000000000001] checkpoint shardEnded: ok",
    ]);
    expect(h.checkpoints).toEqual([["4962", undefined], ["4963", undefined], []]);
  });
});
