// The status snapshot (spec §7): engine events folded into what a dashboard or a test shows.
export { copyCounters, countEvent, emptyCounters, throttledService } from "./counters.ts";
export { describeMovement, EventLog } from "./event-log.ts";
export { deriveFleet } from "./fleet.ts";
export { foldStatus, StatusFold, type StatusFoldOptions } from "./fold.ts";
export { formatBytes, formatCount, formatDuration } from "./format.ts";
export { RateMeter, Ring, TrendRing } from "./meters.ts";
export type * from "./types.ts";
