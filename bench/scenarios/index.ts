// The scenario table of issue 8, by name (`npm run bench <name>`).
import { dashboard } from "./dashboard.ts";
import { failover, handoff } from "./failover.ts";
import { metricsCost } from "./metrics-cost.ts";
import { multilang } from "./multilang.ts";
import { rebalance } from "./rebalance.ts";
import { rollingDeploy } from "./rolling-deploy.ts";
import { scale } from "./scale.ts";
import { startup } from "./startup.ts";
import { throughput } from "./throughput.ts";
import type { Scenario } from "./types.ts";

export const SCENARIOS: Record<string, Scenario> = {
  throughput,
  failover,
  handoff,
  rebalance,
  "rolling-deploy": rollingDeploy,
  scale,
  startup,
  dashboard,
  multilang,
  "metrics-cost": metricsCost,
};
