// Start-up dependency checks: the stream must exist and answer within a few seconds, and the lease
// table must exist (or be created). Every failure is a DependencyError naming resource, region, endpoint.
import type { ClientTarget } from "../aws/clients.ts";
import type { ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import { DependencyError, describeError, isKclError } from "../core/errors.ts";
import type { KinesisPort } from "../kinesis/port.ts";
import type { WorkerTableStore } from "../leases/store.ts";

/** A dead endpoint must fail start() fast, not after the SDK's retries and socket timeouts. */
export const STARTUP_CHECK_TIMEOUT_MS = 5000;

function where(target: ClientTarget): string {
  return `region ${target.region ?? "(from the AWS profile)"}, endpoint ${target.endpoint ?? "the default AWS endpoint"}`;
}

/** Settles with `work`, or rejects with `onTimeout()` after `ms` (the work itself is left to finish). */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  clock: Clock,
  onTimeout: () => Error,
): Promise<T> {
  const timer = new AbortController();
  const deadline = clock.sleep(ms, timer.signal).then(
    () => Promise.reject(onTimeout()),
    () => new Promise<never>(() => {}),
  );
  try {
    return await Promise.race([work, deadline]);
  } finally {
    timer.abort();
  }
}

export async function checkStream(
  kinesis: KinesisPort,
  config: Pick<ResolvedConfig, "stream">,
  target: ClientTarget,
  clock: Clock,
  timeoutMs = STARTUP_CHECK_TIMEOUT_MS,
): Promise<void> {
  const context = {
    stream: config.stream,
    region: target.region,
    endpoint: target.endpoint,
    operation: "DescribeStreamSummary",
  };
  let status: string;
  try {
    const described = await withDeadline(
      kinesis.describeStream(config.stream),
      timeoutMs,
      clock,
      () =>
        new DependencyError(
          `Kinesis did not answer within ${timeoutMs} ms when describing stream "${config.stream}" (${where(target)}). Check the endpoint and network, or --kinesis-endpoint.`,
          "unreachable",
          context,
        ),
    );
    status = described.status;
  } catch (error) {
    if (error instanceof DependencyError) throw error;
    throw new DependencyError(
      `cannot describe stream "${config.stream}" (${where(target)}): ${describeError(error)}. Check the stream name, credentials and endpoint.`,
      isKclError(error) && error.retriable ? "unreachable" : "missing",
      context,
      { cause: error },
    );
  }
  if (status !== "ACTIVE" && status !== "UPDATING") {
    throw new DependencyError(
      `stream "${config.stream}" is ${status} (${where(target)}): it must be ACTIVE to be consumed. Wait until it is ACTIVE, or check the name.`,
      "missing",
      context,
    );
  }
}

/** Checks the table answers (fast, bounded), then creates it when missing and allowed. */
export async function ensureLeaseTable(
  store: WorkerTableStore,
  config: Pick<ResolvedConfig, "table" | "leaseAssignment">,
  target: ClientTarget,
  clock: Clock,
  create: boolean,
  timeoutMs = STARTUP_CHECK_TIMEOUT_MS,
): Promise<void> {
  const context = { table: config.table, region: target.region, endpoint: target.endpoint };
  try {
    await withDeadline(
      store.assertTableExists(),
      timeoutMs,
      clock,
      () =>
        new DependencyError(
          `DynamoDB did not answer within ${timeoutMs} ms when describing lease table "${config.table}" (${where(target)}). Check the endpoint and network, or --dynamodb-endpoint.`,
          "unreachable",
          context,
        ),
    );
    await ownerIndex(store, config);
    return;
  } catch (error) {
    const missing = error instanceof DependencyError && error.code === "KCL_DEPENDENCY_MISSING";
    if (!missing || !create) {
      if (error instanceof DependencyError) throw error;
      throw new DependencyError(
        `cannot find lease table "${config.table}" (${where(target)}): ${describeError(error)}.`,
        "unreachable",
        context,
        { cause: error },
      );
    }
  }
  // Creation waits for ACTIVE (seconds on AWS): not bounded by the reachability deadline above.
  // Assigner mode creates it with the owner index in it.
  await (ownerIndex(store, config) ?? store.ensureTable());
}

/** Assigner mode: the KCL 3.x owner index, created (or added to an existing table) and waited for. */
function ownerIndex(
  store: WorkerTableStore,
  config: Pick<ResolvedConfig, "leaseAssignment">,
): Promise<void> | undefined {
  if (config.leaseAssignment !== "assigner" || !store.ensureOwnerIndex) return undefined;
  return store.ensureOwnerIndex();
}
