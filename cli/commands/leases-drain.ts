// `kcl-ts leases drain --worker <id>`: asks a running worker, through the lease table only, to hand
// over every lease and take no new ones until it restarts (maintenance, a bad host). The request is a
// non-lease row (see src/leases/operator-store.ts); the worker checks for it every taker interval.
import type { Argv } from "yargs";
import { ConfigurationError, DependencyError } from "../../src/core/errors.ts";
import { EXIT, reportFailure } from "../exit-codes.ts";
import {
  commonOptions,
  type LeasesCommonArgs,
  type LeasesDeps,
  type LeasesSession,
  openSession,
  realSleep,
} from "../leases/session.ts";
import type { CliCommand } from "./index.ts";

export interface LeasesDrainArgs extends LeasesCommonArgs {
  worker?: string;
  /** Remove the request instead (a worker that already drained stays idle until restarted). */
  cancel?: boolean;
  /** Wait up to this long for the worker to hold no leases (0: do not wait). */
  waitMs?: number;
}

const POLL_MS = 500;

export async function runLeasesDrain(
  args: LeasesDrainArgs,
  deps: LeasesDeps,
  open: typeof openSession = openSession,
): Promise<number> {
  let session: LeasesSession | undefined;
  try {
    const worker = args.worker?.trim();
    if (!worker)
      throw new ConfigurationError(
        "leases drain needs --worker <id> (see the OWNER column of `kcl-ts leases list`).",
        { option: "worker" },
      );
    const waitMs = args.waitMs ?? 0;
    if (!Number.isInteger(waitMs) || waitMs < 0) {
      throw new ConfigurationError(`--wait-ms ${args.waitMs}: must be a whole number of ms ≥ 0.`, {
        option: "wait-ms",
      });
    }
    session = await open(args, deps.env, "drain");
    const s = session;
    const held = async () =>
      (await s.store.listLeases()).filter((l) => l.leaseOwner === worker).map((l) => l.leaseKey);
    if (args.cancel) {
      await s.operator.clearDrain(worker);
      write(deps, args, { table: s.table, worker, cancelled: true }, [
        `drain request for worker ${worker} removed (if it already drained, it stays idle until restarted).`,
      ]);
      return EXIT.ok;
    }
    const before = await held();
    await s.operator.requestDrain(worker, new Date((deps.now ?? Date.now)()).toISOString());
    const lines = [
      `drain requested for worker ${worker} in lease table ${s.table}; it holds ${before.length} lease${before.length === 1 ? "" : "s"}${before.length ? ` (${before.join(", ")})` : ""}.`,
      "At its next check (every taker interval) it stops taking leases and hands over each one (shutdownRequested, final checkpoint, release); it takes none until restarted.",
    ];
    if (before.length === 0)
      lines.push(`note: no lease is owned by ${worker} now; check the id with \`kcl-ts leases list\`.`);
    let remaining = before;
    if (waitMs > 0) {
      const sleep = deps.sleep ?? realSleep;
      for (let waited = 0; remaining.length > 0 && waited < waitMs; waited += POLL_MS) {
        await sleep(POLL_MS);
        remaining = await held();
      }
      if (remaining.length > 0) {
        write(deps, args, { table: s.table, worker, requested: true, leases: before, remaining }, lines);
        throw new DependencyError(
          `worker ${worker} still holds ${remaining.join(", ")} after ${waitMs} ms: is it running, and a kcl-ts version that watches drain requests? The request stays in place.`,
          "unreachable",
          { workerId: worker, table: s.table },
        );
      }
      lines.push(`worker ${worker} holds no leases now.`);
    }
    write(
      deps,
      args,
      { table: s.table, worker, requested: true, leases: before, ...(waitMs > 0 ? { remaining } : {}) },
      lines,
    );
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, deps.stderr);
  } finally {
    session?.close();
  }
}

function write(
  deps: LeasesDeps,
  args: LeasesDrainArgs,
  json: Record<string, unknown>,
  lines: string[],
): void {
  deps.stdout.write(args.json ? `${JSON.stringify(json, null, 2)}\n` : `${lines.join("\n")}\n`);
}

export const leasesDrainCommand: CliCommand = {
  command: "drain",
  describe: "Make a worker hand over all its leases and take none until restarted",
  builder: (y: Argv) =>
    commonOptions(y)
      .option("worker", { type: "string", describe: "The worker id (OWNER in `leases list`)" })
      .option("wait-ms", {
        type: "number",
        describe: "Wait up to this long until the worker holds no leases [0]",
      })
      .option("cancel", { type: "boolean", describe: "Remove a pending drain request" })
      .example(
        "kcl-ts leases drain --app billing --worker host-7-4242-a1b2c3 --wait-ms 60000",
        "drain before maintenance",
      )
      .strict(),
  handler: (argv) =>
    runLeasesDrain(argv as LeasesDrainArgs, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    }),
};
