// Architecture scanner: masks comments and string literals, parses imports, and reports engine code
// (src/) that breaks a layering rule, with the rule's reason and file:line.
import { readdirSync, readFileSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { maskSource } from "./arch-mask.ts";

export { type Masked, maskSource } from "./arch-mask.ts";

export type ArchRule =
  | "engine-no-ui"
  | "aws-sdk-in-adapters"
  | "time-via-clock"
  | "engine-no-exit-or-console"
  | "engine-no-http-or-metrics";

/** Why each rule exists and what to do instead: the text a failing test prints. */
export const RULES: Record<ArchRule, string> = {
  "engine-no-ui":
    "src/ is the engine library and must not depend on ink, react, ink-*, yargs or anything in cli/ " +
    "(it runs headless on Bun, Deno and Node and is embedded by other programs). " +
    "Move terminal/argv code to cli/ and have it consume the engine's events and status.",
  "aws-sdk-in-adapters":
    "Only src/aws/**, src/kinesis/aws-*.ts and src/leases/dynamodb-*.ts may import @aws-sdk/*, @smithy/* " +
    "or aws-sdk (type-only imports included), so the engine depends on the KinesisPort/LeaseStore ports and " +
    "runs unchanged on the in-memory fakes. Put the SDK call in an adapter and reach it through the port.",
  "time-via-clock":
    "Only src/core/clock.ts and src/core/random.ts may read the time (Date, performance, process.hrtime), " +
    "start timers (setTimeout, AbortSignal.timeout, Bun.sleep) or draw randomness (Math.random, crypto) " +
    "(src/testing/** may also use setImmediate/setTimeout to flush), so simulations can step time and " +
    "replay a seed exactly. Take the injected Clock (now/monotonic/sleep with an AbortSignal) or Random.",
  "engine-no-exit-or-console":
    "src/ is a library: it reports through typed events, the Logger and thrown KclErrors, and never " +
    "writes to the console or the process's streams, installs process handlers or ends the process; " +
    "the CLI decides output, signals and exit codes.",
  "engine-no-http-or-metrics":
    "src/ must not import a metrics library (prom-client, @opentelemetry/*) or serve HTTP (node:http, " +
    "node:https, node:http2, node:net; only the AWS adapters may use node:http/https, for the SDK's " +
    "connection agents). Metrics and health probes are an adapter in cli/metrics, fed by the engine's " +
    "events and the status fold, so embedders choose their own exporter.",
};

export interface ImportRef {
  specifier: string;
  line: number;
  column: number;
  kind: "static" | "dynamic" | "require";
  typeOnly: boolean;
}

export interface Violation {
  rule: ArchRule;
  /** Path relative to the scanned root, with forward slashes. */
  file: string;
  line: number;
  column: number;
  /** What was found, e.g. `import "ink"` or `Date.now`. */
  found: string;
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
  return starts;
}

function position(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
}

const IMPORT_PATTERNS: [RegExp, ImportRef["kind"]][] = [
  [/\bfrom\s*(?=["'])/g, "static"],
  [/(?<![\w$.])import\s*(?=["'])/g, "static"],
  [/(?<![\w$.])import\s*\(\s*(?=["'`])/g, "dynamic"],
  [/(?<![\w$.])require\s*\(\s*(?=["'`])/g, "require"],
];

/**
 * The specifier of a template literal at `quote` (masking blanked its text): its static text, with
 * each `${…}` kept as written, so `import(`ink`)` and `import(`ink${x}`)` are both seen.
 */
function templateSpecifier(source: string, quote: number): string | undefined {
  if (source[quote] !== "`") return undefined;
  const end = source.indexOf("`", quote + 1);
  return end === -1 ? undefined : source.slice(quote + 1, end);
}

/** Every module specifier a file imports, re-exports, import()s or require()s. */
export function parseImports(source: string, masked = maskSource(source)): ImportRef[] {
  const starts = lineStarts(source);
  const refs: ImportRef[] = [];
  for (const [pattern, kind] of IMPORT_PATTERNS) {
    for (const m of masked.code.matchAll(pattern)) {
      const quote = (m.index ?? 0) + m[0].length;
      const specifier = masked.strings.get(quote) ?? templateSpecifier(source, quote);
      if (specifier === undefined) continue;
      // The statement this `from` belongs to starts at the nearest import/export keyword before it.
      const before = masked.code.slice(Math.max(0, (m.index ?? 0) - 4000), m.index);
      const head = before.match(/\b(import|export)\b(\s+type\b)?[^;]*$/);
      refs.push({ specifier, ...position(starts, quote), kind, typeOnly: kind === "static" && !!head?.[2] });
    }
  }
  return refs.sort((a, b) => a.line - b.line || a.column - b.column);
}

const UI_MODULE = /^(ink|react|react-dom|yargs|yargs-parser)(\/|$)|^ink-|^@inkjs\//;
const AWS_MODULE = /^(@aws-sdk|@smithy)\/|^aws-sdk(\/|$)/;
const TIMER_MODULE = /^(node:)?timers(\/promises)?$/;
const METRICS_MODULE = /^prom-client(\/|$)|^@opentelemetry\//;
const HTTP_MODULE = /^(node:)?(http|https|http2|net)$/;
const AWS_ADAPTER = /^src\/aws\/|^src\/kinesis\/aws-[^/]*\.tsx?$|^src\/leases\/dynamodb-[^/]*\.tsx?$/;
const TIME_EXEMPT = new Set(["src/core/clock.ts", "src/core/random.ts"]);
const GLOBAL_PREFIX = String.raw`(?:(?:globalThis|global|window|self)\s*\.\s*)?`;

/** Time, timer and randomness uses; `flushTimer` marks the ones src/testing may use. */
const TIME_PATTERNS: { re: RegExp; flushTimer?: boolean }[] = [
  { re: /\bDate\s*\.\s*now\b/g },
  { re: /\bnew\s+Date\s*(?:\(\s*\)|(?!\s*\())/g },
  { re: /(?<![\w$.]|new\s+)Date\s*\(\s*\)/g },
  { re: new RegExp(String.raw`(?<![\w$.])${GLOBAL_PREFIX}setTimeout\b`, "g"), flushTimer: true },
  { re: new RegExp(String.raw`(?<![\w$.])${GLOBAL_PREFIX}setImmediate\b`, "g"), flushTimer: true },
  { re: new RegExp(String.raw`(?<![\w$.])${GLOBAL_PREFIX}setInterval\b`, "g") },
  { re: /\bperformance\s*\.\s*(?:now|timeOrigin)\b/g },
  { re: /\bprocess\s*\.\s*hrtime\b/g },
  { re: /\bAbortSignal\s*\.\s*timeout\b/g },
  { re: /\bBun\s*\.\s*(?:sleep|sleepSync|nanoseconds)\b/g },
  { re: /\bMath\s*\.\s*random\b/g },
  // Randomness from crypto (Web Crypto or node:crypto); createHash and friends stay allowed.
  { re: /(?<![\w$])(?:randomUUID|getRandomValues|randomBytes|randomFillSync|randomFill)\b/g },
  { re: /\bcrypto\s*\.\s*randomInt\b/g },
  // Date as a value (aliased, destructured, passed on): `= Date;`, `{ now } = Date`, `f(Date)`.
  { re: /(?<=[=(,]\s*)(?:(?:globalThis|global|window|self)\s*\.\s*)?Date(?!\s*[.(])(?=\s*(?:[;,)\n]|$))/g },
];
const EXIT_PATTERNS: RegExp[] = [
  /\bprocess\s*\.\s*(?:exit|abort|exitCode|reallyExit|kill)\b/g,
  new RegExp(String.raw`(?<![\w$.])${GLOBAL_PREFIX}console\s*\.\s*[\w$]+`, "g"),
  /\bprocess\s*\.\s*(?:stdout|stderr|stdin)\b/g,
  /\bprocess\s*\.\s*(?:on|once|addListener|prependListener|prependOnceListener)\b/g,
  // process or console taken apart or aliased: `{ stdout } = process`, `const p = process;`.
  /\{[^{}]*\}\s*=\s*(?:globalThis\s*\.\s*)?(?:process|console)\b(?!\s*\.)/g,
  /(?<=[\w$]\s*=\s*)(?:globalThis\s*\.\s*)?(?:process|console)(?!\s*[.(])(?=\s*(?:[;,)\n]|$))/g,
];

/** `type D = Date;` names a type, not the Date value: not a use of the clock. */
function isTypeAlias(code: string, offset: number): boolean {
  const lineStart = code.lastIndexOf("\n", offset) + 1;
  return /^\s*(?:export\s+)?type\s+[\w$]+(?:<[^>]*>)?\s*=\s*$/.test(code.slice(lineStart, offset));
}

/** `Date\n  .now` -> `Date.now`, `new   Date()` -> `new Date()`. */
const tidy = (text: string) => text.replace(/\s*\.\s*/g, ".").replace(/\s+/g, " ");

/** Checks one file; `file` is its path relative to the project root, with forward slashes. */
export function checkFile(file: string, source: string): Violation[] {
  if (!file.startsWith("src/")) return [];
  const masked = maskSource(source);
  const starts = lineStarts(source);
  const found: Violation[] = [];
  const add = (rule: ArchRule, offset: number, what: string) =>
    found.push({ rule, file, ...position(starts, offset), found: what });
  const at = (line: number, column: number) => (starts[line - 1] as number) + column - 1;

  for (const ref of parseImports(source, masked)) {
    const what = `${ref.typeOnly ? "import type" : ref.kind === "static" ? "import" : `${ref.kind}()`} "${ref.specifier}"`;
    const offset = at(ref.line, ref.column);
    const target = ref.specifier.startsWith(".")
      ? posix.normalize(posix.join(posix.dirname(file), ref.specifier))
      : "";
    if (UI_MODULE.test(ref.specifier) || target === "cli" || target.startsWith("cli/"))
      add("engine-no-ui", offset, what);
    if (AWS_MODULE.test(ref.specifier) && !AWS_ADAPTER.test(file)) add("aws-sdk-in-adapters", offset, what);
    if (TIMER_MODULE.test(ref.specifier) && !TIME_EXEMPT.has(file)) add("time-via-clock", offset, what);
    if (METRICS_MODULE.test(ref.specifier) || (HTTP_MODULE.test(ref.specifier) && !AWS_ADAPTER.test(file)))
      add("engine-no-http-or-metrics", offset, what);
  }
  // node:crypto's randomInt by name (our own core/random exports a randomInt too: only crypto's counts).
  if (!TIME_EXEMPT.has(file)) {
    for (const m of masked.code.matchAll(/\bimport\s*\{[^}]*?\b(randomInt)\b[^}]*\}\s*from\s*(?=["'])/g)) {
      const specifier = masked.strings.get((m.index ?? 0) + m[0].length) ?? "";
      if (/^(node:)?crypto$/.test(specifier))
        add("time-via-clock", (m.index ?? 0) + m[0].indexOf("randomInt"), "randomInt");
    }
  }
  if (!TIME_EXEMPT.has(file)) {
    const testing = file.startsWith("src/testing/");
    for (const { re, flushTimer } of TIME_PATTERNS) {
      if (testing && flushTimer) continue;
      for (const m of masked.code.matchAll(re)) {
        if (isTypeAlias(masked.code, m.index ?? 0)) continue;
        add("time-via-clock", m.index ?? 0, tidy(m[0]));
      }
    }
  }
  for (const re of EXIT_PATTERNS) {
    for (const m of masked.code.matchAll(re)) {
      add("engine-no-exit-or-console", m.index ?? 0, tidy(m[0]));
    }
  }
  return found.sort((a, b) => a.line - b.line || a.column - b.column);
}

const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/** Every source file under `root/dir`, as root-relative paths with forward slashes. */
export function listSourceFiles(root: string, dir = "src"): string[] {
  const files: string[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const path = join(abs, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (SOURCE_FILE.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        files.push(relative(root, path).split(sep).join("/"));
      }
    }
  };
  walk(join(root, dir));
  return files.sort();
}

/** Scans every source file under root/src. */
export function scanTree(root: string): { files: string[]; violations: Violation[] } {
  const files = listSourceFiles(root, "src");
  const violations = files.flatMap((f) => checkFile(f, readFileSync(join(root, f), "utf8")));
  return { files, violations };
}

/** The failure text: violations grouped by rule, each rule explained once, each hit as file:line:column. */
export function formatViolations(violations: Violation[]): string {
  const parts: string[] = [];
  for (const rule of Object.keys(RULES) as ArchRule[]) {
    const hits = violations.filter((v) => v.rule === rule);
    if (hits.length === 0) continue;
    parts.push(`[${rule}] ${RULES[rule]}`);
    for (const v of hits) parts.push(`  ${v.file}:${v.line}:${v.column}  ${v.found}`);
  }
  return `${violations.length} architecture violation(s):\n${parts.join("\n")}`;
}
