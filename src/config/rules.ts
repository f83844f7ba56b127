// Per-option validation rules for resolveConfig(): each rejection names the option, the value as
// the user wrote it, the rule and the fix, so a typo in a flag or config file is fixed in one try.
import { ConfigurationError } from "../core/errors.ts";

/** The value as the user would recognise it (JSON.stringify turns NaN into "null", undefined into nothing). */
export function showValue(value: unknown): string {
  if (value === undefined) return "(not set)";
  if (typeof value === "number") return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Throws the ConfigurationError for one option: "--<option> <value>: <rule>. <fix>". */
export function fail(option: string, value: unknown, rule: string, fix: string): never {
  throw new ConfigurationError(`--${option} ${showValue(value)}: ${rule}. ${fix}`, { option });
}

/** A whole number in [min, max]; undefined/null mean "use the default". `why` explains a bound. */
export function integer(
  option: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.POSITIVE_INFINITY,
  why = "",
): number {
  if (value === undefined || value === null) return fallback;
  const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `from ${min} to ${max}`;
  if (typeof value !== "number" || !Number.isFinite(value) || !Number.isInteger(value)) {
    fail(option, value, "must be a whole number", `Pass a whole number ${range}.`);
  }
  if (value < min) fail(option, value, `must be ≥ ${min}${why}`, `Pass a whole number ${range}.`);
  if (value > max) fail(option, value, `must be ≤ ${max}${why}`, `Pass a whole number ${range}.`);
  return value;
}

/** true or false; undefined/null mean "use the default". */
export function flag(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") fail(option, value, "must be true or false", "Pass true or false.");
  return value;
}

export function oneOf<T extends string>(
  option: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string" || !allowed.includes(value as T)) {
    const near =
      typeof value === "string" ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : "";
    fail(
      option,
      value,
      `must be one of ${allowed.join(", ")}`,
      near ? `Did you mean ${near}? Values are case-sensitive.` : `Use one of: ${allowed.join(" | ")}.`,
    );
  }
  return value as T;
}

/** A string option; "" counts as not set (an empty env var or flag must not override a default). */
export function optionalString(option: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string")
    fail(option, value, "must be a string", `Pass it as text, e.g. --${option} "…".`);
  return value;
}

export function endpoint(option: string, value: unknown): string | undefined {
  const s = optionalString(option, value);
  if (s === undefined) return undefined;
  let ok = false;
  try {
    const url = new URL(s);
    ok = (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    ok = false;
  }
  if (!ok)
    fail(option, s, "must be an http(s) URL", "Pass scheme, host and port, e.g. http://127.0.0.1:4567.");
  return s;
}

/**
 * ISO 8601 with an explicit zone (or a bare UTC date): a zone-less local time would mean different
 * instants on differently configured hosts of one fleet.
 */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

const TIMESTAMP_FIX = "Pass an ISO 8601 time with a zone, e.g. 2026-01-31T12:00:00Z.";

export function parseTimestamp(value: unknown): Date | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) fail("timestamp", value, "must be a valid date", TIMESTAMP_FIX);
    return new Date(value.getTime()); // a copy: the frozen config must not share the caller's mutable Date
  }
  if (typeof value !== "string") fail("timestamp", value, "must be an ISO 8601 date-time", TIMESTAMP_FIX);
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(value)) {
    fail("timestamp", value, "has no time zone", "Append Z for UTC or an offset such as +02:00.");
  }
  const m = ISO_8601.exec(value);
  const date = new Date(value);
  if (!m || Number.isNaN(date.getTime()) || !fieldsInRange(m)) {
    fail("timestamp", value, "must be an ISO 8601 date-time", TIMESTAMP_FIX);
  }
  return date;
}

/** JS Date rolls 2026-02-30 over into March; a typo'd day must be rejected instead. */
function fieldsInRange(m: RegExpExecArray): boolean {
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((s) => Number(s ?? 0));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return (
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}
