// `--properties <file>` → consume options + multilang settings, with the file's folder (the children's
// working directory) and the keys to report once as ignored or unknown.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigurationError } from "../../src/core/errors.ts";
import { parseProperties } from "./properties.ts";
import { type ReadKeys, readMultilangKeys } from "./keys.ts";

export interface MultilangConfig extends ReadKeys {
  /** Absolute path of the properties file. */
  file: string;
  /** Its folder: where children run, and what a relative executableName is relative to. */
  dir: string;
}

export function readPropertiesFile(given: string, cwd: string): MultilangConfig {
  const file = resolve(cwd, given);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigurationError(
      `--properties ${JSON.stringify(given)}: cannot read ${file} (${(error as Error).message}). Pass the MultiLangDaemon .properties file.`,
      { option: "properties", file },
    );
  }
  return { ...readMultilangKeys(parseProperties(text, file), file), file, dir: dirname(file) };
}

/** The one notice about keys kcl-ts does not use: ignored Java-only keys, then unknown ones. */
export function describeKeys(config: Pick<MultilangConfig, "ignored" | "unknown" | "file">): string[] {
  const lines: string[] = [];
  if (config.ignored.length > 0) {
    lines.push(`kcl-ts: ${config.file}: ignoring Java-only keys: ${config.ignored.join(", ")}`);
  }
  for (const key of config.unknown) {
    lines.push(
      `kcl-ts: warning: ${config.file}: unknown key ${key} (not a MultiLangDaemon setting kcl-ts knows; ignored)`,
    );
  }
  return lines;
}
