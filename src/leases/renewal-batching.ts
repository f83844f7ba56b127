// Whether a worker's lease store batches its renewals (--renewal-batching), and how the worker hears
// that batching switched itself off: a warning event naming the reason and the way to turn it back on.
import type { ResolvedConfig } from "../config/options.ts";
import type { EventBus } from "../core/events.ts";
import type { RenewalBatchingOptions } from "./dynamodb-renewal-batch.ts";

export function renewalBatching(
  config: Pick<ResolvedConfig, "renewalBatching" | "leaseAssignment" | "table">,
  events: EventBus,
): RenewalBatchingOptions {
  // Assigner-mode workers read their assignment notices from the item each renewal returns; a batched
  // renewal returns none.
  if (!config.renewalBatching || config.leaseAssignment !== "taker") return {};
  return {
    batchRenewals: true,
    onBatchingUnavailable: (reason) =>
      events.emit({
        type: "warning",
        message:
          `renewal batching is off: DynamoDB refused BatchExecuteStatement on table ${config.table} ` +
          `(${reason}); each lease is renewed with its own UpdateItem. To batch renewals, allow ` +
          "dynamodb:PartiQLUpdate on the table; --no-renewal-batching silences this.",
      }),
  };
}
