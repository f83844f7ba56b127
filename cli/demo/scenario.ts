// The demo's timeline: when workers join, when a shard is split and when a worker is killed, as
// fractions of the run so a shorter run keeps the same story (seed scenarios 1–5 of spec §1).

export type DemoAction = "add" | "split" | "kill";

export interface DemoStep {
  atMs: number;
  action: DemoAction;
  /** Shown when the step runs: what the viewer should watch for. */
  note: string;
}

export interface DemoPlan {
  steps: DemoStep[];
  /** 0 = run until q / Ctrl-C. */
  endAtMs: number;
  /** Worker lease duration: a killed worker's shards move after this. */
  failoverMs: number;
  /** Periodic shard discovery in the workers: how soon split children get leases. */
  shardSyncMs: number;
}

/** The default story over `seconds` (0: no timer, keys only), with `workers` workers before the kill. */
export function defaultPlan(seconds: number, workers: number): DemoPlan {
  const failoverMs = 6000;
  const shardSyncMs = 3000;
  if (seconds <= 0)
    return { steps: [{ atMs: 0, action: "add", note: "" }], endAtMs: 0, failoverMs, shardSyncMs };
  const at = (fraction: number) => Math.round(seconds * 1000 * fraction);
  const steps: DemoStep[] = [{ atMs: 0, action: "add", note: "one worker takes every shard (scenario 1)" }];
  for (let i = 1; i < workers; i++) {
    steps.push({
      atMs: at(0.12),
      action: "add",
      note: "another worker joins: leases are stolen until the split is even (scenario 2)",
    });
  }
  steps.push(
    {
      atMs: at(0.35),
      action: "split",
      note: "a shard is split: its children wait for it to end, then spread out (scenarios 3, 5)",
    },
    {
      atMs: at(0.6),
      action: "kill",
      note: `a worker is killed (SIGKILL): after ${failoverMs / 1000} s its leases expire and move (scenario 4)`,
    },
    { atMs: at(0.78), action: "add", note: "a replacement worker joins and the fleet rebalances" },
  );
  return { steps, endAtMs: at(1), failoverMs, shardSyncMs };
}
