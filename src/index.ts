// The kcl-ts library entry point: createWorker, its options and defaults, errors and event types,
// and the plugin contract types.
export { createWorker } from "./coordinator/worker.ts";
export type {
  ShardSyncFactory,
  ShardSyncPort,
  StopResult,
  Worker,
  WorkerDeps,
  WorkerOptions,
} from "./coordinator/types.ts";
export { DEFAULTS, resolveConfig } from "./config/index.ts";
export type {
  CheckpointMode,
  InitialPosition,
  KclOptions,
  OnErrorPolicy,
  ResolvedConfig,
  RetrievalMode,
} from "./config/index.ts";
export {
  AbortedError,
  ConfigurationError,
  DependencyError,
  describeError,
  type ErrorContext,
  ExpiredIteratorError,
  InvalidCheckpointError,
  InvariantViolationError,
  isKclError,
  KclError,
  LeaseLostError,
  PluginLoadError,
  ProcessorFailedError,
  ThrottledError,
} from "./core/errors.ts";
export {
  type AcquireHow,
  type EventOf,
  EventBus,
  type KclEvent,
  type KclEventBody,
  type KclEventType,
  type LeaseView,
  type Listener,
  type LostReason,
  type ShardStateName,
} from "./core/events.ts";
export { type Clock, systemClock } from "./core/clock.ts";
export { type Random, seededRandom, systemRandom } from "./core/random.ts";
export { type Logger, type LogLevel, MemoryLogger, silentLogger } from "./core/logger.ts";
export type {
  Checkpointer,
  CheckpointPosition,
  InitializeInput,
  KinesisRecord,
  LeaseLostInput,
  ProcessorContext,
  ProcessorPlugin,
  ProcessRecordsInput,
  RecordProcessor,
  RecordProcessorFactory,
  ShardEndedInput,
  ShutdownRequestedInput,
} from "./plugin.ts";
// The status snapshot the dashboard renders, for health endpoints and custom UIs.
export { foldStatus, StatusFold, type StatusFoldOptions } from "./status/index.ts";
export type { WorkerStatus } from "./status/types.ts";
