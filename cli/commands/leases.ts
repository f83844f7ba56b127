// `kcl-ts leases <command>`: the operator commands on a lease table (spec §5, §11), one file each.
import type { Argv } from "yargs";
import { EXIT } from "../exit-codes.ts";
import type { CliCommand } from "./index.ts";
import { leasesDrainCommand } from "./leases-drain.ts";
import { leasesLagCommand } from "./leases-lag.ts";
import { leasesListCommand } from "./leases-list.ts";
import { leasesResetCommand } from "./leases-reset.ts";

export const leasesCommand: CliCommand = {
  command: "leases",
  describe: "Operate on a lease table: list | reset | lag | drain (each with --json)",
  builder: (y: Argv) => y.demandCommand(1, "Name a leases command: list, reset, lag or drain."),
  // Only reached when no subcommand matched (yargs then reports it): a usage error.
  handler: async () => EXIT.usage,
  subcommands: [leasesListCommand, leasesResetCommand, leasesLagCommand, leasesDrainCommand],
};
