// Starts the lease thread (node:worker_threads, which Bun, Deno and Node all provide) and waits until
// its module has loaded. Returns { ok: false } when this runtime cannot start it, so the caller can fall
// back to renewing on the main thread — and say so.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import type { Clock } from "../../core/clock.ts";
import { describeError } from "../../core/errors.ts";
import type { FromThread, LeaseThreadInit, ToThread } from "./protocol.ts";
import type { LeaseThreadHandle } from "./threaded-coordinator.ts";

/** How long the thread may take to load its modules (the AWS SDK) before we give up on it. */
export const LEASE_THREAD_READY_MS = 15_000;

export type SpawnResult = { ok: true; thread: LeaseThreadHandle } | { ok: false; why: string };

// From source, the entry sits beside this file. In the compiled binary (build/binary.ts adds it as a
// second entry point) modules live under /$bunfs/root/ and the entry is found by its path from the root.
const IN_BINARY = import.meta.url.includes("/$bunfs/") || import.meta.url.includes("~BUN");
const ENTRY: string | URL = IN_BINARY
  ? "./src/leases/thread/entry.ts"
  : new URL("./entry.ts", import.meta.url);

/**
 * Bun: the thread's VM gets JavaScriptCore's small heap (`smol`). It holds little (the leases, the
 * DynamoDB client) and allocates little between collections; at 100 and 500 shards this kept the
 * process's RSS lower (README, "A lighter lease thread"). Node and Deno have no such option.
 */
const WORKER_OPTIONS = ("Bun" in globalThis ? { smol: true } : {}) as WorkerOptions;

/**
 * Node running these TypeScript sources through tsx: tsx's loader does not reach worker threads (Node 20
 * refuses the .ts entry), so the thread starts as a small script that registers tsx's ESM API first.
 */
function nodeTypeScriptShim(entry: string | URL): string | undefined {
  if ("Bun" in globalThis || "Deno" in globalThis || typeof entry === "string") return undefined;
  if (!entry.pathname.endsWith(".ts")) return undefined;
  try {
    const tsxPackage = pathToFileURL(createRequire(import.meta.url).resolve("tsx/package.json"));
    const api = new URL("./dist/esm/api/index.mjs", tsxPackage).href;
    return `import(${JSON.stringify(api)}).then((tsx) => tsx.register({ namespace: "kcl-ts-lease-thread" }).import(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`;
  } catch {
    return undefined;
  }
}

export async function spawnLeaseThread(init: LeaseThreadInit, clock: Clock): Promise<SpawnResult> {
  let worker: Worker;
  try {
    const shim = nodeTypeScriptShim(ENTRY);
    worker = shim === undefined ? new Worker(ENTRY, WORKER_OPTIONS) : new Worker(shim, { eval: true });
  } catch (error) {
    return { ok: false, why: describeError(error) };
  }
  const exitCbs = new Set<(why: string) => void>();
  const messageCbs = new Set<(m: FromThread) => void>();
  /** Messages that arrive before anyone subscribes are kept for each subscriber, in order. */
  const early: FromThread[] = [];
  const ready = new Promise<string | undefined>((resolve) => {
    worker.on("message", (m: FromThread) => {
      if (m.type === "ready") resolve(undefined);
      if (messageCbs.size === 0) early.push(m);
      for (const cb of messageCbs) cb(m);
    });
    worker.on("error", (error) => {
      resolve(describeError(error));
      for (const cb of exitCbs) cb(describeError(error));
    });
    worker.on("exit", (code) => {
      resolve(`exited with code ${code}`);
      for (const cb of exitCbs) cb(`exit code ${code}`);
    });
  });
  const timer = new AbortController();
  const timeout = clock
    .sleep(LEASE_THREAD_READY_MS, timer.signal)
    .then(() => `not ready after ${LEASE_THREAD_READY_MS} ms`)
    .catch(() => undefined);
  const failure = await Promise.race([ready, timeout]);
  timer.abort();
  if (failure !== undefined) {
    await worker.terminate().catch(() => {});
    return { ok: false, why: failure };
  }
  worker.postMessage({ type: "init", init } satisfies ToThread);
  return {
    ok: true,
    thread: {
      post: (message) => worker.postMessage(message),
      onMessage: (cb) => {
        messageCbs.add(cb);
        for (const m of early) cb(m);
      },
      onExit: (cb) => exitCbs.add(cb),
      terminate: async () => {
        await worker.terminate();
      },
    },
  };
}
