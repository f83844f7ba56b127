// `kcl-ts leases lag`: per lease, how far its checkpoint is behind the tip of its shard
// (MillisBehindLatest of a one-record GetRecords at the checkpoint), records behind when counted,
// and the owner; worst first. Reads cost Kinesis read quota: one iterator + a few GetRecords per shard.
import type { Argv } from "yargs";
import { ConfigurationError } from "../../src/core/errors.ts";
import { EXIT, reportFailure } from "../exit-codes.ts";
import { keyParts } from "../leases/keys.ts";
import { type LagRow, measureLag, worstFirst } from "../leases/lag.ts";
import {
  commonOptions,
  kinesisEndpointOption,
  type LeasesCommonArgs,
  type LeasesDeps,
  type LeasesSession,
  openSession,
} from "../leases/session.ts";
import { textTable } from "../leases/text-table.ts";
import type { CliCommand } from "./index.ts";

export interface LeasesLagArgs extends LeasesCommonArgs {
  stream?: string;
  /** Count records behind up to this many per shard (0: only MillisBehindLatest). Default 1000. */
  countUpTo?: number;
}

export const DEFAULT_COUNT_UP_TO = 1000;

export async function runLeasesLag(
  args: LeasesLagArgs,
  deps: LeasesDeps,
  open: typeof openSession = openSession,
): Promise<number> {
  let session: LeasesSession | undefined;
  try {
    const countUpTo = args.countUpTo ?? DEFAULT_COUNT_UP_TO;
    if (!Number.isInteger(countUpTo) || countUpTo < 0) {
      throw new ConfigurationError(`--count-up-to ${args.countUpTo}: must be a whole number ≥ 0.`, {
        option: "count-up-to",
      });
    }
    session = await open(args, deps.env, "lag");
    const leases = await session.store.listLeases();
    const plain = leases.filter((l) => keyParts(l.leaseKey).stream === undefined);
    if (plain.length > 0 && !args.stream) {
      throw new ConfigurationError(
        `leases lag needs --stream <name>: lease table ${session.table} has single-stream lease keys (e.g. ${plain[0]?.leaseKey}).`,
        { option: "stream" },
      );
    }
    const kinesis = session.kinesis();
    if (args.stream) await kinesis.describeStream(args.stream); // a missing stream is exit 4, not N row errors
    const rows: LagRow[] = [];
    for (const lease of leases) {
      const stream = keyParts(lease.leaseKey).stream ?? (args.stream as string);
      rows.push(await measureLag(kinesis, stream, lease, countUpTo));
    }
    rows.sort(worstFirst);
    if (args.json) deps.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else deps.stdout.write(`${formatLag(session.table, rows).join("\n")}\n`);
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, deps.stderr);
  } finally {
    session?.close();
  }
}

export function formatLag(table: string, rows: LagRow[]): string[] {
  if (rows.length === 0) return [`lease table ${table} has no leases yet.`];
  const behind = (r: LagRow) =>
    r.recordsBehind === undefined ? "-" : `${r.recordsBehindExact ? "" : "≥"}${r.recordsBehind}`;
  return [
    ...textTable(
      ["LEASE KEY", "OWNER", "CHECKPOINT", "MILLIS BEHIND", "RECORDS BEHIND"],
      rows.map((r) => [
        r.leaseKey,
        r.leaseOwner ?? "-",
        r.finished ? "SHARD_END (finished)" : r.checkpoint,
        r.error ? `? (${r.error})` : String(r.millisBehindLatest),
        behind(r),
      ]),
    ),
  ];
}

export const leasesLagCommand: CliCommand = {
  command: "lag",
  describe: "Per shard: MillisBehindLatest and records behind from each lease's checkpoint, worst first",
  builder: (y: Argv) =>
    kinesisEndpointOption(commonOptions(y))
      .option("stream", {
        type: "string",
        describe: "The stream the leases belong to (single-stream tables)",
      })
      .option("count-up-to", {
        type: "number",
        describe: `Count records behind up to this many per shard (0: don't count) [${DEFAULT_COUNT_UP_TO}]`,
      })
      .example("kcl-ts leases lag --app billing --stream orders", "which shards are behind, and by how much")
      .strict(),
  handler: (argv) =>
    runLeasesLag(argv as LeasesLagArgs, { stdout: process.stdout, stderr: process.stderr, env: process.env }),
};
