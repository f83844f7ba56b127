// SIGINT/SIGTERM handling shared by the long-running commands: the first signal asks for a graceful
// stop, a second one forces exit (the only place the CLI exits without returning a code).

export type ShutdownSignal = "SIGINT" | "SIGTERM";
export const SHUTDOWN_SIGNALS: readonly ShutdownSignal[] = ["SIGINT", "SIGTERM"];

/** The slice of `process` the commands need; tests pass an EventEmitter. */
export interface SignalSource {
  on(signal: ShutdownSignal, listener: () => void): unknown;
  off(signal: ShutdownSignal, listener: () => void): unknown;
}

/** Conventional exit status of a process ended by a signal (128 + signal number). */
export function forcedExitCode(signal: ShutdownSignal): number {
  return signal === "SIGINT" ? 130 : 143;
}

/**
 * Calls `onFirst` on the first SIGINT/SIGTERM and `onForce` on any later one.
 * Returns a function that removes the listeners.
 */
export function handleShutdownSignals(
  source: SignalSource,
  onFirst: (signal: ShutdownSignal) => void,
  onForce: (signal: ShutdownSignal) => void,
): () => void {
  let received = 0;
  const listeners = SHUTDOWN_SIGNALS.map((signal) => {
    const listener = () => {
      received += 1;
      if (received === 1) onFirst(signal);
      else onForce(signal);
    };
    source.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) source.off(signal, listener);
  };
}
