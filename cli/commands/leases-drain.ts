// placeholder
import type { CliCommand } from "./index.ts";
export const leasesDrainCommand: CliCommand = {
  command: "drain",
  describe: "x",
  builder: (y) => y,
  handler: async () => 0,
};
