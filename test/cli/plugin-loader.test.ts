// The plugin loader: every accepted form loads, every broken form is a PluginLoadError that names
// the file, the cause and the expected shape.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { EXPECTED_SHAPE, loadPlugin } from "../../cli/plugin-loader.ts";
import { PluginLoadError } from "../../src/core/errors.ts";
import type { ProcessorContext, RecordProcessor } from "../../src/plugin.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures");
const cwd = join(FIXTURES, "plugins");
const context: ProcessorContext = {
  shardId: "shardId-0",
  streamName: "s",
  applicationName: "a",
  workerId: "w",
};

async function loadError(file: string, base = cwd): Promise<PluginLoadError> {
  try {
    await loadPlugin(file, { cwd: base });
  } catch (error) {
    expect(error).toBeInstanceOf(PluginLoadError);
    return error as PluginLoadError;
  }
  throw new Error(`${file} loaded but should not have`);
}

describe("loadPlugin accepts", () => {
  test("an object default export with relative imports and import type from kcl-ts", async () => {
    const loaded = await loadPlugin("./object-plugin.ts", { cwd });
    expect(loaded.kind).toBe("object");
    expect(loaded.file).toBe(join(cwd, "object-plugin.ts"));
    const processor = loaded.plugin as RecordProcessor;
    await processor.processRecords({
      records: [],
      checkpointer: { checkpoint: async () => {} },
      shardId: "shardId-7",
      isAtShardEnd: false,
      signal: new AbortController().signal,
    });
    const mod = await import(join(cwd, "object-plugin.ts"));
    expect(mod.seen).toContain("shardId-7:0");
  });

  test("a factory, wrapped so that each call returns a validated processor", async () => {
    const loaded = await loadPlugin("factory-plugin.ts", { cwd });
    expect(loaded.kind).toBe("factory");
    const factory = loaded.plugin as (c: ProcessorContext) => Promise<RecordProcessor>;
    const processor = await factory(context);
    expect(typeof processor.processRecords).toBe("function");
  });

  test("a .mjs module, and a path relative to another working directory", async () => {
    const loaded = await loadPlugin("plugins/js-plugin.mjs", { cwd: FIXTURES });
    expect(loaded.kind).toBe("object");
  });
});

describe("loadPlugin rejects", () => {
  test("a missing file, naming the path it looked for", async () => {
    const error = await loadError("./nope.ts");
    expect(error.message).toContain("nope.ts");
    expect(error.message).toContain("file not found");
    expect(error.message).toContain(join(cwd, "nope.ts"));
    expect(error.context.file).toBe("./nope.ts");
  });

  test("a syntax error, with file, line and column", async () => {
    const error = await loadError("../broken-plugins/syntax-error.ts");
    expect(error.message).toContain("syntax error");
    expect(error.message).toMatch(/syntax-error\.ts:4:\d+/);
  });

  test("an import that cannot be resolved", async () => {
    const error = await loadError("../broken-plugins/missing-import.ts");
    expect(error.message).toContain("cannot be resolved");
    expect(error.message).toContain("does-not-exist");
  });

  test("an object without processRecords, showing the expected shape", async () => {
    const error = await loadError("no-process-records.ts");
    expect(error.message).toContain("no processRecords");
    expect(error.message).toContain(EXPECTED_SHAPE);
  });

  test("processRecords as a named export, with the fix", async () => {
    const error = await loadError("named-export.ts");
    expect(error.message).toContain("no default export");
    expect(error.message).toContain("export default { processRecords }");
  });

  test("a default export of the wrong type", async () => {
    expect((await loadError("wrong-export.ts")).message).toContain("is number, not a RecordProcessor");
  });

  test("a class default export, suggesting a factory", async () => {
    expect((await loadError("class-export.ts")).message).toContain("export a factory");
  });

  test("an optional callback that is not a function", async () => {
    expect((await loadError("bad-callback.ts")).message).toContain("leaseLost is a string");
  });

  test("a module that throws at load time", async () => {
    expect((await loadError("throws-on-load.ts")).message).toContain("boom at load time");
  });

  test("an unsupported file type", async () => {
    expect((await loadError("lib")).message).toContain("unsupported file type");
    expect((await loadError("plugin.py")).message).toContain('".py"');
  });

  test("a factory whose result has the wrong shape (when called)", async () => {
    const loaded = await loadPlugin("factory-bad-return.ts", { cwd });
    const factory = loaded.plugin as (c: ProcessorContext) => Promise<RecordProcessor>;
    const error = await factory(context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect((error as Error).message).toContain("returned by the factory for shardId-0 has no processRecords");
  });
});

describe("syntax errors as other runtimes report them", () => {
  const importing = (error: unknown) => ({ cwd, importModule: () => Promise.reject(error) });

  test("Deno: a TypeError wrapping 'SyntaxError: …' with the location in the message", async () => {
    const error = Object.assign(
      new TypeError(
        "SyntaxError: Expression expected\n  |\n4 |     const x = ;\n    at file:///p/plugin.ts:4:15",
      ),
      { code: "ERR_MODULE_NOT_FOUND" },
    );
    const failure = await loadPlugin("object-plugin.ts", importing(error)).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(PluginLoadError);
    expect((failure as Error).message).toContain(
      "syntax error at file:///p/plugin.ts:4:15: Expression expected",
    );
  });

  test("Node: a SyntaxError with the location in the stack", async () => {
    const error = new SyntaxError("Unexpected token ';'");
    error.stack = "file:///p/plugin.mjs:4\n    const x = ;\n\nSyntaxError: Unexpected token ';'";
    const failure = await loadPlugin("object-plugin.ts", importing(error)).catch((e: Error) => e);
    expect((failure as Error).message).toContain(
      "syntax error at file:///p/plugin.mjs:4: Unexpected token ';'",
    );
  });
});
