// The one place that maps errors to exit codes (spec §5) and words the message a user sees.
import {
  ConfigurationError,
  DependencyError,
  KclError,
  PluginLoadError,
  ProcessorFailedError,
} from "../src/core/errors.ts";
import { version } from "./version.ts";

export const EXIT = Object.freeze({
  /** Clean shutdown. */
  ok: 0,
  /** Unexpected internal error: a bug in kcl-ts. */
  bug: 1,
  /** Usage or configuration error (bad flag, bad config file, missing required option). */
  usage: 2,
  /** The plugin module could not be loaded or has the wrong shape. */
  plugin: 3,
  /** An AWS dependency is missing or unreachable: stream, table, credentials, endpoint. */
  dependency: 4,
  /** Stopped by `--on-error exit`. */
  processorFailed: 5,
});

/** Where to report bugs: named in every exit-1 message. */
export const BUG_REPORT = "the kcl-ts issue tracker";

/** Socket-level failures the SDK may surface raw: the endpoint is unreachable, not a bug. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EAI_AGAIN",
]);
/** The SDK's own words when no region was found anywhere in its chain: a configuration error. */
function isRegionMissing(error: unknown): boolean {
  return error instanceof Error && /^Region is missing/.test(error.message);
}

/** SDK error names that mean "no usable credentials" rather than a bug. */
const CREDENTIAL_ERRORS = new Set(["CredentialsProviderError", "UnrecognizedClientException"]);

function networkCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Exit code for anything a command may throw. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigurationError || isRegionMissing(error)) return EXIT.usage;
  if (error instanceof PluginLoadError) return EXIT.plugin;
  if (error instanceof DependencyError) return EXIT.dependency;
  if (error instanceof ProcessorFailedError) return EXIT.processorFailed;
  if (error instanceof KclError) return EXIT.bug;
  if (networkCode(error)) return EXIT.dependency;
  if (error instanceof Error && CREDENTIAL_ERRORS.has(error.name)) return EXIT.dependency;
  return EXIT.bug;
}

/** The stderr text for an error: the message for known failures, a bug report request otherwise. */
export function describeFailure(error: unknown): string {
  const code = exitCodeFor(error);
  if (code === EXIT.bug) {
    const detail =
      error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    return [
      "kcl-ts: unexpected internal error (this is a bug).",
      `Please report it on ${BUG_REPORT} with the command line you ran, kcl-ts ${version},`,
      `your runtime (${runtimeName()}) and the text below:`,
      detail,
    ].join("\n");
  }
  if (error instanceof KclError) return `kcl-ts: ${error.message}`;
  if (isRegionMissing(error)) {
    return "kcl-ts: no AWS region: pass --region, set AWS_REGION (or AWS_DEFAULT_REGION), or set one in your AWS profile.";
  }
  const net = networkCode(error);
  if (net) {
    const message = error instanceof Error ? error.message : String(error);
    return `kcl-ts: an AWS endpoint is unreachable (${net}): ${message}. Check the endpoint and network.`;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `kcl-ts: no usable AWS credentials (${message}). Configure a profile, environment variables or a role.`;
}

/** Writes the failure to stderr and returns its exit code: what every command does in its catch. */
export function reportFailure(error: unknown, stderr: { write(s: string): unknown }): number {
  stderr.write(`${describeFailure(error)}\n`);
  return exitCodeFor(error);
}

function runtimeName(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${process.version}`;
}
