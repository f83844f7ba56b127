// Loads a record processor plugin (spec §4) and validates its shape before any AWS call; every
// failure is a PluginLoadError naming the file, the cause and the expected shape.
import { statSync } from "node:fs";
import { extname, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { PluginLoadError } from "../src/core/errors.ts";
import type { ProcessorContext, ProcessorPlugin, RecordProcessor } from "../src/plugin.ts";

export const PLUGIN_EXTENSIONS = [".ts", ".tsx", ".mts", ".js", ".mjs"] as const;
const OPTIONAL_CALLBACKS = ["initialize", "leaseLost", "shardEnded", "shutdownRequested"] as const;

export const EXPECTED_SHAPE = [
  "Expected a module whose default export is either a RecordProcessor object (shared by all shards):",
  "  export default { async processRecords({ records, checkpointer }) { /* ... */ } };",
  "or a factory called once per lease acquisition that returns one:",
  "  export default (context) => ({ async processRecords(input) { /* ... */ } });",
  "processRecords is required; initialize, leaseLost, shardEnded and shutdownRequested are optional.",
  'Types: import type { RecordProcessor } from "kcl-ts".',
].join("\n");

export interface LoadedPlugin {
  /** Absolute path of the module. */
  file: string;
  kind: "factory" | "object";
  /** The default export; a factory is wrapped so that what it returns is validated too. */
  plugin: ProcessorPlugin;
}

export interface LoadPluginOptions {
  cwd: string;
  /** Module loader (default: dynamic import()). */
  importModule?: (url: string) => Promise<unknown>;
}

function failure(file: string, cause: string, options?: { cause?: unknown }): PluginLoadError {
  return new PluginLoadError(`cannot load plugin ${file}: ${cause}\n${EXPECTED_SHAPE}`, { file }, options);
}

/** "line 3, column 2" and the offending source line, from Bun's BuildMessage or a SyntaxError. */
function syntaxLocation(error: unknown, file: string): string | undefined {
  const e = error as {
    name?: string;
    message?: string;
    stack?: string;
    position?: { line?: number; column?: number; lineText?: string; file?: string } | null;
    errors?: unknown[];
  };
  if (e?.name === "AggregateError" && Array.isArray(e.errors) && e.errors.length > 0) {
    return syntaxLocation(e.errors[0], file);
  }
  if (e?.name === "BuildMessage" && e.position) {
    const where = `${e.position.file ?? file}:${e.position.line}:${e.position.column}`;
    const text = e.position.lineText ? `\n    ${e.position.lineText}` : "";
    return `syntax error at ${where}: ${e.message}${text}`;
  }
  // Node throws a SyntaxError; Deno wraps it in a TypeError whose message starts "SyntaxError: ".
  const message = stripAnsi(e?.message ?? "");
  if (e?.name === "SyntaxError" || message.startsWith("SyntaxError: ")) {
    // Both put "file:///path:line:col" (or "path:line") in the message or the stack.
    const haystack = `${message}\n${stripAnsi(e.stack ?? "")}`;
    const match = haystack.match(/((?:file:\/\/)?\/[^\s:()]+):(\d+)(?::(\d+))?/);
    const where = match ? `${match[1]}:${match[2]}${match[3] ? `:${match[3]}` : ""}` : file;
    const first = message.replace(/^SyntaxError: /, "").split("\n")[0];
    return `syntax error at ${where}: ${first}`;
  }
  return undefined;
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters.
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function isClass(fn: unknown): boolean {
  return typeof fn === "function" && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/** Problems with a would-be RecordProcessor, or undefined when it is one. */
export function shapeProblem(value: unknown, what: string): string | undefined {
  if (value === null || typeof value !== "object") {
    return `${what} is ${value === null ? "null" : typeof value}, not a RecordProcessor object`;
  }
  const processor = value as Record<string, unknown>;
  if (typeof processor.processRecords !== "function") {
    return processor.processRecords === undefined
      ? `${what} has no processRecords method`
      : `${what}.processRecords is a ${typeof processor.processRecords}, not a function`;
  }
  for (const name of OPTIONAL_CALLBACKS) {
    const cb = processor[name];
    if (cb !== undefined && typeof cb !== "function")
      return `${what}.${name} is a ${typeof cb}, not a function`;
  }
  return undefined;
}

function describeExports(mod: Record<string, unknown>): string {
  const names = Object.keys(mod);
  return names.length ? `it exports: ${names.join(", ")}` : "it exports nothing";
}

/** Resolves `file` against cwd, imports it, and validates the default export. */
export async function loadPlugin(file: string, options: LoadPluginOptions): Promise<LoadedPlugin> {
  const absolute = resolve(options.cwd, file);
  const shown = relative(options.cwd, absolute).startsWith("..") ? absolute : file;
  const ext = extname(absolute).toLowerCase();
  if (!(PLUGIN_EXTENSIONS as readonly string[]).includes(ext)) {
    throw failure(
      shown,
      `unsupported file type "${ext || "(none)"}"; use one of ${PLUGIN_EXTENSIONS.join(" ")}`,
    );
  }
  let isFile = false;
  try {
    isFile = statSync(absolute).isFile();
  } catch {
    throw failure(shown, `file not found (looked for ${absolute}, relative to ${options.cwd})`);
  }
  if (!isFile) throw failure(shown, `${absolute} is not a file`);

  const importModule = options.importModule ?? ((url: string) => import(url));
  let mod: Record<string, unknown>;
  try {
    mod = (await importModule(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    const syntax = syntaxLocation(error, absolute);
    if (syntax) throw failure(shown, syntax, { cause: error });
    const message = stripAnsi(error instanceof Error ? error.message : String(error));
    const name = (error as { name?: string })?.name;
    if (name === "ResolveMessage" || (error as { code?: string })?.code === "ERR_MODULE_NOT_FOUND") {
      throw failure(shown, `one of its imports cannot be resolved: ${message}`, { cause: error });
    }
    throw failure(shown, `the module threw while loading: ${name ?? "Error"}: ${message}`, { cause: error });
  }

  const exported = mod.default;
  if (exported === undefined) {
    const hint =
      typeof mod.processRecords === "function"
        ? "processRecords is a named export; wrap it: export default { processRecords }"
        : describeExports(mod);
    throw failure(shown, `no default export (${hint})`);
  }
  if (isClass(exported)) {
    throw failure(
      shown,
      "the default export is a class; export a factory instead: (context) => new MyProcessor(context)",
    );
  }
  if (typeof exported === "function") {
    const factory = exported as (context: ProcessorContext) => RecordProcessor | Promise<RecordProcessor>;
    const checked = async (context: ProcessorContext): Promise<RecordProcessor> => {
      const processor = await factory(context);
      const problem = shapeProblem(processor, `the object returned by the factory for ${context.shardId}`);
      if (problem) throw failure(shown, problem);
      return processor;
    };
    return { file: absolute, kind: "factory", plugin: checked };
  }
  const problem = shapeProblem(exported, "the default export");
  if (problem) throw failure(shown, problem);
  return { file: absolute, kind: "object", plugin: exported as RecordProcessor };
}
