// The logger interface: the engine logs through this and never writes to the console itself.

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** Discards everything (the default: the engine's real output is its event stream). */
export const silentLogger: Logger = { log() {} };

/** Collects entries in memory: for tests. */
export class MemoryLogger implements Logger {
  readonly entries: { level: LogLevel; message: string; fields?: Record<string, unknown> }[] = [];
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level, message, fields });
  }
}
