// Reads the Java .properties format (java.util.Properties.load) so a MultiLangDaemon file works as is:
// `#`/`!` comments, `=`/`:`/whitespace separators, `\` line continuations, `\t \n \r \f \uXXXX` escapes.
import { ConfigurationError } from "../../src/core/errors.ts";

export interface PropertyEntry {
  key: string;
  value: string;
  /** 1-based line where the entry starts: named in every message about it. */
  line: number;
}

const WHITESPACE = new Set([" ", "\t", "\f"]);

/** A natural line ends a logical line unless it ends with an odd number of backslashes. */
function continues(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === "\\"; i--) n++;
  return n % 2 === 1;
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  return i;
}

/** Joins continuation lines (dropping the backslash and the next line's leading whitespace). */
function logicalLines(text: string): { text: string; line: number }[] {
  const natural = text.split(/\r\n|\r|\n/);
  const out: { text: string; line: number }[] = [];
  for (let i = 0; i < natural.length; i++) {
    const start = i;
    let current = natural[i]!.slice(skipWhitespace(natural[i]!, 0));
    if (current === "" || current[0] === "#" || current[0] === "!") continue;
    while (continues(current) && i + 1 < natural.length) {
      i++;
      const next = natural[i]!;
      current = current.slice(0, -1) + next.slice(skipWhitespace(next, 0));
    }
    // A trailing lone backslash at end of file is dropped, as Java does.
    if (continues(current)) current = current.slice(0, -1);
    out.push({ text: current, line: start + 1 });
  }
  return out;
}

function unescapeJava(raw: string, file: string, line: number): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = raw[++i];
    if (e === undefined) break;
    if (e === "u") {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new ConfigurationError(
          `${file}:${line}: malformed \\uXXXX escape "\\u${hex}": write exactly four hex digits (e.g. \\u00e9).`,
          { file, option: "properties" },
        );
      }
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else {
      out += e === "t" ? "\t" : e === "n" ? "\n" : e === "r" ? "\r" : e === "f" ? "\f" : e;
    }
  }
  return out;
}

/** Index where the (raw, still escaped) key ends: the first unescaped `=`, `:` or whitespace. */
function keyEnd(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") i++;
    else if (c === "=" || c === ":" || WHITESPACE.has(c)) return i;
  }
  return text.length;
}

/** Parses properties text; a key given twice keeps its last value (as Java does). `file` names errors. */
export function parseProperties(text: string, file = "properties"): PropertyEntry[] {
  const entries = new Map<string, PropertyEntry>();
  for (const { text: logical, line } of logicalLines(text)) {
    const end = keyEnd(logical);
    let i = skipWhitespace(logical, end);
    if (logical[i] === "=" || logical[i] === ":") i = skipWhitespace(logical, i + 1);
    const key = unescapeJava(logical.slice(0, end), file, line);
    const value = unescapeJava(logical.slice(i), file, line);
    entries.delete(key);
    entries.set(key, { key, value, line });
  }
  return [...entries.values()];
}
