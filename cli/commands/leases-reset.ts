// `kcl-ts leases reset`: moves the checkpoint of chosen leases (replay a day, skip a poisoned backlog)
// like `kafka-consumer-groups --reset-offsets`: prints the plan; writes only with --execute; refuses a
// lease whose owner is live unless --force, which fences that owner in the same conditional write.
import type { Argv } from "yargs";
import { ConfigurationError } from "../../src/core/errors.ts";
import type { Lease } from "../../src/leases/lease.ts";
import type { LeaseReset } from "../../src/leases/operator-store.ts";
import { EXIT, reportFailure } from "../exit-codes.ts";
import { keyParts } from "../leases/keys.ts";
import { observeLiveness } from "../leases/liveness.ts";
import { ACTION_TEXT, type PlanRow, planReset, type Selector, selectLeases } from "../leases/reset-plan.ts";
import { describeReset, parseResetTarget, resetFor } from "../leases/reset-target.ts";
import {
  commonOptions,
  kinesisEndpointOption,
  type LeasesCommonArgs,
  type LeasesDeps,
  type LeasesSession,
  openSession,
  realSleep,
} from "../leases/session.ts";
import { textTable } from "../leases/text-table.ts";
import { validateSequence } from "../leases/validate-sequence.ts";
import type { CliCommand } from "./index.ts";

export interface LeasesResetArgs extends LeasesCommonArgs, Selector {
  to?: string;
  execute?: boolean;
  force?: boolean;
  /** How long lease counters are watched to tell live owners from dead ones. Default 10000 (failover). */
  liveWaitMs?: number;
}

export const DEFAULT_LIVE_WAIT_MS = 10_000;
/** A forced reset re-reads and retries when the live owner renewed between read and write. */
const FORCE_ATTEMPTS = 5;

type Result = "written" | "refused-changed" | "missing";

export async function runLeasesReset(
  args: LeasesResetArgs,
  deps: LeasesDeps,
  open: typeof openSession = openSession,
): Promise<number> {
  let session: LeasesSession | undefined;
  try {
    const target = parseResetTarget(args.to);
    const liveWaitMs = args.liveWaitMs ?? DEFAULT_LIVE_WAIT_MS;
    if (!Number.isInteger(liveWaitMs) || liveWaitMs < 0) {
      throw new ConfigurationError(`--live-wait-ms ${args.liveWaitMs}: must be a whole number of ms ≥ 0.`, {
        option: "live-wait-ms",
      });
    }
    session = await open(args, deps.env, "reset");
    const first = await session.store.listLeases();
    const selected = selectLeases(first, args, session.table);
    if (target.kind === "sequence")
      await checkSequence(
        session,
        selected.map((s) => s.lease),
        args.stream,
        target.sequenceNumber,
      );
    const reset = resetFor(target, (deps.now ?? Date.now)());
    const keys = new Set(selected.map((s) => s.lease.leaseKey));
    const seen = await observeLiveness(session.store, keys, liveWaitMs, deps.sleep ?? realSleep, first);
    const current = new Map(seen.leases.map((l) => [l.leaseKey, l]));
    // A lease deleted during the window (a finished parent cleaned up) is simply no longer planned.
    const fresh = selected.flatMap((s) => {
      const lease = current.get(s.lease.leaseKey);
      return lease ? [{ ...s, lease }] : [];
    });
    const plan = planReset(fresh, seen.live, args.force ?? false);
    const refused = plan.filter((r) => r.action === "refused-live-owner");
    const results = new Map<string, Result>();
    if (args.execute && refused.length === 0) {
      for (const row of plan) {
        if (row.action === "reset" || row.action === "fence-and-reset")
          results.set(row.lease.leaseKey, await write(session, row, reset, args.force ?? false));
      }
    }
    report(deps, args, session.table, reset, plan, results, liveWaitMs);
    if (refused.length > 0 && args.execute) {
      deps.stderr.write(
        `kcl-ts: refusing to reset: ${refused.map((r) => `${r.lease.leaseKey} (owner ${r.lease.leaseOwner})`).join(", ")} ` +
          "renewed during the liveness window. Stop or drain those workers first, or pass --force to fence them (they get leaseLost). Nothing was written.\n",
      );
      return EXIT.usage;
    }
    const changed = [...results.entries()].filter(([, r]) => r !== "written");
    if (changed.length > 0) {
      deps.stderr.write(
        `kcl-ts: not reset: ${changed.map(([k, r]) => `${k} (${r === "missing" ? "lease deleted" : "changed since read: its owner is live"})`).join(", ")}. Run again (with --force to fence live owners).\n`,
      );
      return EXIT.usage;
    }
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, deps.stderr);
  } finally {
    session?.close();
  }
}

async function checkSequence(
  session: LeasesSession,
  leases: Lease[],
  streamArg: string | undefined,
  sequenceNumber: string,
): Promise<void> {
  if (leases.length !== 1) {
    throw new ConfigurationError(
      `--to ${sequenceNumber}: a sequence number belongs to one shard; name exactly one --shard (selected: ${leases.length}).`,
      { option: "to" },
    );
  }
  const { shardId, stream: keyStream } = keyParts((leases[0] as Lease).leaseKey);
  const stream = streamArg ?? keyStream;
  if (!stream) {
    throw new ConfigurationError(
      `--to ${sequenceNumber} needs --stream <name>: the sequence number is checked against shard ${shardId} before anything is written.`,
      { option: "stream" },
    );
  }
  await validateSequence(session.kinesis(), stream, shardId, sequenceNumber);
}

/** One conditional write. Not forced: a lease that changed since the probe is left alone. */
async function write(
  session: LeasesSession,
  row: PlanRow,
  reset: LeaseReset,
  force: boolean,
): Promise<Result> {
  let lease = row.lease;
  for (let attempt = 0; attempt < FORCE_ATTEMPTS; attempt++) {
    const out = await session.operator.resetLease(lease, reset);
    if (out.ok) return "written";
    if (out.reason === "missing" || !out.current) return "missing";
    if (!force) return "refused-changed";
    lease = out.current;
  }
  return "refused-changed";
}

function report(
  deps: LeasesDeps,
  args: LeasesResetArgs,
  table: string,
  reset: LeaseReset,
  plan: PlanRow[],
  results: Map<string, Result>,
  liveWaitMs: number,
): void {
  const to = describeReset(reset);
  if (args.json) {
    const leases = plan.map((r) => ({
      leaseKey: r.lease.leaseKey,
      leaseOwner: r.lease.leaseOwner ?? null,
      ownerLive: r.ownerLive,
      checkpoint: r.lease.checkpoint.sequenceNumber,
      checkpointSubSequenceNumber: r.lease.checkpoint.subSequenceNumber,
      newCheckpoint: reset.checkpoint.sequenceNumber,
      ...(reset.resolvedStart !== undefined ? { resolvedStartMillis: reset.resolvedStart } : {}),
      action: r.action,
      ...(results.has(r.lease.leaseKey) ? { result: results.get(r.lease.leaseKey) } : {}),
    }));
    deps.stdout.write(
      `${JSON.stringify({ table, to, execute: Boolean(args.execute), liveWaitMs, leases }, null, 2)}\n`,
    );
    return;
  }
  const rows = plan.map((r) => [
    r.lease.leaseKey,
    r.lease.leaseOwner ?? "-",
    r.lease.leaseOwner ? (r.ownerLive ? "yes" : "no") : "-",
    r.lease.checkpoint.sequenceNumber,
    to,
    results.has(r.lease.leaseKey) ? (results.get(r.lease.leaseKey) as string) : ACTION_TEXT[r.action],
  ]);
  const lines = [
    `reset plan for lease table ${table} (owners are live when their leaseCounter moved within ${liveWaitMs} ms):`,
    ...textTable(
      ["LEASE KEY", "OWNER", "LIVE", "CHECKPOINT", "NEW CHECKPOINT", args.execute ? "RESULT" : "ACTION"],
      rows,
    ),
  ];
  if (plan.length === 0) lines.push("(no leases selected)");
  if (!args.execute)
    lines.push("", "dry run: nothing was written. Run again with --execute to apply this plan.");
  else if (results.size > 0) {
    const written = [...results.values()].filter((r) => r === "written").length;
    lines.push(
      "",
      `${written} lease${written === 1 ? "" : "s"} reset. Workers start them at the new checkpoint when they next take them.`,
    );
  }
  deps.stdout.write(`${lines.join("\n")}\n`);
}

export const leasesResetCommand: CliCommand = {
  command: "reset",
  describe: "Move the checkpoint of leases (prints the plan; writes only with --execute)",
  builder: (y: Argv) =>
    kinesisEndpointOption(commonOptions(y))
      .option("shard", {
        type: "string",
        array: true,
        describe: "Shard id or lease key to reset (repeatable)",
      })
      .option("all", { type: "boolean", describe: "Every lease (finished SHARD_END leases are skipped)" })
      .option("stream", {
        type: "string",
        describe: "The stream (needed for --to <sequence>; alone: every lease of that stream)",
      })
      .option("to", {
        type: "string",
        describe:
          "TRIM_HORIZON | LATEST | <ISO 8601 time> (AT_TIMESTAMP) | <sequence number> (resume after it)",
      })
      .option("execute", { type: "boolean", describe: "Write the plan (default: dry run)" })
      .option("force", {
        type: "boolean",
        describe: "Also reset leases whose owner is live, fencing it (leaseLost)",
      })
      .option("live-wait-ms", {
        type: "number",
        describe: `How long to watch lease counters to tell live owners [${DEFAULT_LIVE_WAIT_MS}; use your --failover-ms]`,
      })
      .example(
        "kcl-ts leases reset --app billing --all --to 2026-11-26T00:00:00Z",
        "plan a replay from a time",
      )
      .example(
        "kcl-ts leases reset --app billing --shard shardId-000000000003 --to LATEST --execute",
        "skip a backlog",
      )
      .strict(),
  handler: (argv) =>
    runLeasesReset(argv as LeasesResetArgs, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    }),
};
