// Multi-stream options: a repeated --stream (yargs array) and `streams` in the config file become
// one worker's stream list; one stream stays `stream` (plain shard-id lease keys).
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yargs from "yargs";
import { consumeCommand, prepareConsume } from "../../cli/commands/consume.ts";
import { type ConsumeArgs, pickConsumeArgs } from "../../cli/consume-options.ts";
import { describeEvent } from "../../cli/output/lines.ts";
import { ConfigurationError } from "../../src/core/errors.ts";

const deps = { cwd: process.cwd(), stdout: { write: () => true, isTTY: false } };
const BASE: ConsumeArgs = { plugin: "p.ts", app: "billing", output: "json" };

function configFile(data: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "kcl-streams-")), "consume.json");
  writeFileSync(file, JSON.stringify(data));
  return file;
}

async function parse(argv: string[]): Promise<ConsumeArgs> {
  let picked: ConsumeArgs = {};
  await yargs(argv)
    .command({
      ...consumeCommand,
      handler: (a) => {
        picked = pickConsumeArgs(a);
      },
    })
    .parseAsync();
  return picked;
}

describe("consume: several streams", () => {
  test("--stream twice → streams [a, b] (multi-stream); once → stream (single-stream)", async () => {
    const two = await parse([
      "consume",
      "--plugin",
      "p.ts",
      "--app",
      "x",
      "--stream",
      "orders",
      "--stream",
      "payments",
    ]);
    expect(two.stream).toEqual(["orders", "payments"]);
    const prepared = prepareConsume({ ...BASE, stream: two.stream }, deps);
    expect(prepared.options.streams).toEqual(["orders", "payments"]);
    expect(prepared.config.streams).toEqual(["orders", "payments"]);
    expect(prepared.config.stream).toBe("orders");
    const one = prepareConsume({ ...BASE, ...(await parse(["consume", "--stream", "orders"])) }, deps);
    expect(one.options.stream).toBe("orders");
    expect(one.options.streams).toBeUndefined();
    expect(one.config.streams).toEqual(["orders"]);
  });

  test('`"streams": [...]` in the config file; a --stream flag wins over it', () => {
    const file = configFile({ streams: ["orders", "payments"], app: "billing" });
    expect(prepareConsume({ plugin: "p.ts", output: "json", config: file }, deps).config.streams).toEqual([
      "orders",
      "payments",
    ]);
    expect(
      prepareConsume({ plugin: "p.ts", output: "json", config: file, stream: "other" }, deps).config.streams,
    ).toEqual(["other"]);
  });

  test("bad stream lists are usage errors naming the option", () => {
    expect(() => prepareConsume({ ...BASE, config: configFile({ streams: ["orders", 3] }) }, deps)).toThrow(
      /"streams" in .* must be a list of strings/,
    );
    expect(() => prepareConsume({ ...BASE, stream: ["orders", "bad name"] }, deps)).toThrow(
      ConfigurationError,
    );
    expect(() => prepareConsume({ ...BASE, stream: ["orders", "bad name"] }, deps)).toThrow(
      /--stream "bad name"/,
    );
  });

  test("the same stream twice is one stream (plain keys)", () => {
    const prepared = prepareConsume({ ...BASE, stream: ["orders", "orders"] }, deps);
    expect(prepared.config.streams).toEqual(["orders"]);
  });
});

describe("--output lines: multi-stream", () => {
  test("the start line names every stream (one stream: as before)", () => {
    const base = {
      type: "worker-started",
      app: "billing",
      stream: "orders",
      table: "billing",
      workerId: "w1",
      at: 0,
    } as const;
    expect(describeEvent({ ...base, streams: ["orders", "payments"] })).toBe(
      "worker w1 started: app billing, streams orders, payments, lease table billing",
    );
    expect(describeEvent(base)).toBe("worker w1 started: app billing, stream orders, lease table billing");
  });
});

describe("multi-stream and enhanced fan-out", () => {
  test("--retrieval efo with several streams is a usage error naming --retrieval", () => {
    expect(() => prepareConsume({ ...BASE, stream: ["orders", "payments"], retrieval: "efo" }, deps)).toThrow(
      /--retrieval "efo": is not available with several streams \(orders, payments\)/,
    );
    expect(prepareConsume({ ...BASE, stream: "orders", retrieval: "efo" }, deps).config.retrieval).toBe(
      "efo",
    );
  });
});
