// Where the lease table's client gets its identity and region without the SDK client: explicit
// credentials (tests, --local, the emulators) are used as given; otherwise the SDK's own default
// provider chain (env, profile, SSO, web identity, container, instance metadata) is loaded on first
// use, which caches and refreshes temporary credentials before they expire.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Credentials } from "./sigv4.ts";

export type CredentialSource = () => Promise<Credentials>;

export function credentialSource(explicit: Credentials | undefined): CredentialSource {
  if (explicit) return () => Promise.resolve(explicit);
  let chain: Promise<CredentialSource> | undefined;
  return async () => {
    chain ??= import("@aws-sdk/credential-provider-node").then((m) => m.defaultProvider());
    return (await chain)();
  };
}

/**
 * The profile's region (AWS_CONFIG_FILE or ~/.aws/config, profile AWS_PROFILE or default), as the SDK
 * falls back to when neither the option nor AWS_REGION names one.
 */
export function profileRegion(env: Record<string, string | undefined>): string | undefined {
  const profile = env.AWS_PROFILE || "default";
  let text: string;
  try {
    text = readFileSync(env.AWS_CONFIG_FILE || join(homedir(), ".aws", "config"), "utf8");
  } catch {
    return undefined;
  }
  const wanted = new Set(profile === "default" ? ["default", "profile default"] : [`profile ${profile}`]);
  let inProfile = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, "").trim();
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) inProfile = wanted.has(section[1]!.replace(/\s+/g, " "));
    else if (inProfile) {
      const kv = /^region\s*=\s*(\S+)/.exec(line);
      if (kv) return kv[1];
    }
  }
  return undefined;
}
