// The default worker id: host name + pid + random suffix, unique per live process and readable in the table.
import { hostname } from "node:os";
import { type Random, randomSuffix } from "../core/random.ts";

export function defaultWorkerId(random: Random): string {
  let host = "worker";
  try {
    host = hostname() || host;
  } catch {
    // Some sandboxes refuse the call: the pid and suffix still make the id unique.
  }
  return `${host}-${process.pid}-${randomSuffix(random, 6)}`;
}
