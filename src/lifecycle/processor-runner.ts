// Creates the processor for one lease acquisition (factory) or reuses the shared object, and decides
// what a processor failure leads to under the --on-error policy.
import type { OnErrorPolicy } from "../config/options.ts";
import { backoffDelay, PROCESSOR_RETRY_BACKOFF } from "../core/backoff.ts";
import { describeError, PluginLoadError } from "../core/errors.ts";
import type { Random } from "../core/random.ts";
import type { ProcessorContext, ProcessorPlugin, RecordProcessor } from "../plugin.ts";

export function isProcessorFactory(
  plugin: ProcessorPlugin,
): plugin is (context: ProcessorContext) => RecordProcessor | Promise<RecordProcessor> {
  return typeof plugin === "function";
}

/** A factory is called once per lease acquisition, so every shard ownership gets a fresh instance. */
export async function createProcessor(
  plugin: ProcessorPlugin,
  context: ProcessorContext,
): Promise<RecordProcessor> {
  const processor = isProcessorFactory(plugin) ? await plugin(context) : plugin;
  if (!processor || typeof processor.processRecords !== "function") {
    throw new PluginLoadError(
      `the processor factory returned ${processor === null ? "null" : typeof processor} for ${context.shardId}, not an object with processRecords(). Return { async processRecords(input) { ... } } from the factory.`,
      { shardId: context.shardId },
    );
  }
  return processor;
}

export interface FailureDecision {
  action: OnErrorPolicy;
  /** For retry: wait this long before delivering the same batch again. */
  retryInMs?: number;
  error: string;
}

/** retry: 1 s doubling to 30 s with jitter (attempt is 1-based); skip and exit do not wait. */
export function decideOnFailure(
  policy: OnErrorPolicy,
  error: unknown,
  attempt: number,
  random: Random,
): FailureDecision {
  const described = describeError(error);
  if (policy === "retry") {
    return {
      action: "retry",
      retryInMs: backoffDelay(PROCESSOR_RETRY_BACKOFF, attempt, random),
      error: described,
    };
  }
  return { action: policy, error: described };
}
