// One MultiLangDaemon child process: spawns it, writes daemon messages to its stdin, reads JSON lines
// from its stdout until the `status` for the action sent (answering `checkpoint` requests meanwhile),
// forwards its stderr line by line, and turns exit / junk / silence into a ChildFailedError.
import { type ChildProcess, spawn } from "node:child_process";
import { KclError } from "../../src/core/errors.ts";
import { checkpointResponse, type ChildMessage, type DaemonAction, parseChildLine } from "./messages.ts";

/** A child broke the protocol, exited or went silent: a processor failure under --on-error. */
export class ChildFailedError extends KclError {
  override readonly name = "ChildFailedError" as const;
  readonly code = "KCL_CHILD_FAILED" as const;
  readonly retriable = true;
}

export interface ChildOptions {
  shardId: string;
  /** [program, ...arguments]; the program already resolved. */
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** No message for this long while waiting for an answer fails the child. */
  timeoutMs?: number;
  /** One stderr line of the child (without its newline). */
  onStderr: (line: string) => void;
}

/** A checkpoint request's outcome: null when written, else the Java exception name. */
export type CheckpointHandler = (
  request: Extract<ChildMessage, { action: "checkpoint" }>,
) => Promise<string | null>;

/** Splits a text stream into lines (the last partial line is kept until its newline or the end). */
function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let partial = "";
  return {
    push(chunk) {
      partial += chunk;
      const parts = partial.split(/\r?\n/);
      partial = parts.pop() ?? "";
      for (const line of parts) onLine(line);
    },
    end() {
      if (partial) onLine(partial);
      partial = "";
    },
  };
}

export class Child {
  private readonly proc: ChildProcess;
  private readonly queue: string[] = [];
  private wake: (() => void) | undefined;
  private exit: { code: number | null; signal: string | null } | undefined;
  private failure: Error | undefined;
  readonly exited: Promise<void>;

  constructor(private readonly o: ChildOptions) {
    const [program, ...args] = o.argv;
    // Its own process group: a Ctrl-C in the terminal reaches kcl-ts (which then asks each child to
    // checkpoint in shutdownRequested), not the children, which would die before they could. Children
    // still end with kcl-ts: the clients exit when their stdin closes.
    this.proc = spawn(program!, args, {
      cwd: o.cwd,
      env: o.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const out = lineSplitter((line) => {
      this.queue.push(line);
      this.notify();
    });
    const err = lineSplitter(o.onStderr);
    this.proc.stdout!.setEncoding("utf8");
    this.proc.stdout!.on("data", (c: string) => out.push(c));
    this.proc.stdout!.on("end", () => out.end());
    this.proc.stderr!.setEncoding("utf8");
    this.proc.stderr!.on("data", (c: string) => err.push(c));
    this.proc.stderr!.on("end", () => err.end());
    // A child that died makes writes fail with EPIPE: its exit is what we report.
    this.proc.stdin!.on("error", () => {});
    this.exited = new Promise((resolve) => {
      this.proc.on("error", (error) => {
        this.failure ??= error;
        this.exit ??= { code: null, signal: null };
        this.notify();
        resolve();
      });
      this.proc.on("close", (code, signal) => {
        this.exit = { code, signal };
        this.notify();
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Exited or failed: it cannot take another message. */
  get dead(): boolean {
    return this.exit !== undefined || this.failure !== undefined;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private fail(what: string): ChildFailedError {
    const error = new ChildFailedError(`child process for ${this.o.shardId} (pid ${this.pid}) ${what}`, {
      shardId: this.o.shardId,
    });
    this.failure ??= error;
    this.kill();
    return error;
  }

  private describeExit(): string {
    if (this.failure && !(this.failure instanceof ChildFailedError))
      return `could not start: ${this.failure.message}`;
    const e = this.exit!;
    return e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
  }

  private write(message: unknown): void {
    if (this.dead) return;
    this.proc.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /** The next stdout line; throws when the child exits first or stays silent past the timeout. */
  private async nextLine(waitingFor: string): Promise<string> {
    for (;;) {
      const line = this.queue.shift();
      if (line !== undefined) return line;
      if (this.failure instanceof ChildFailedError) throw this.failure;
      if (this.dead)
        throw this.fail(`${this.describeExit()} while kcl-ts waited for its answer to ${waitingFor}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      let timedOut = false;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (this.o.timeoutMs !== undefined) {
          timer = setTimeout(() => {
            timedOut = true;
            resolve();
          }, this.o.timeoutMs);
        }
      });
      clearTimeout(timer);
      if (timedOut && this.queue.length === 0 && !this.dead) {
        throw this.fail(
          `sent no answer to ${waitingFor} within timeoutInSeconds (${this.o.timeoutMs! / 1000} s)`,
        );
      }
    }
  }

  /**
   * Sends `message` and serves the child until its `status` for `action`: checkpoint requests go to
   * `onCheckpoint` (absent: refused with InvalidStateException, as Java does outside a checkpointer's scope).
   */
  async request(action: DaemonAction, message: unknown, onCheckpoint?: CheckpointHandler): Promise<void> {
    if (this.dead) throw this.fail(`${this.describeExit()} before ${action} could be sent`);
    this.write(message);
    for (;;) {
      const line = await this.nextLine(action);
      let parsed: ChildMessage | undefined;
      try {
        parsed = parseChildLine(line);
      } catch (error) {
        throw this.fail(
          `wrote a malformed line on stdout (${(error as Error).message}); stdout is for protocol messages only, log to stderr`,
        );
      }
      if (!parsed) continue;
      if (parsed.action === "checkpoint") {
        const error = onCheckpoint ? await onCheckpoint(parsed) : "InvalidStateException";
        this.write(checkpointResponse(parsed.sequenceNumber, parsed.subSequenceNumber, error));
        continue;
      }
      if (parsed.responseFor !== action) {
        throw this.fail(
          `answered status for ${JSON.stringify(parsed.responseFor)} while ${action} was expected`,
        );
      }
      return;
    }
  }

  /** End of this shard's processing: close stdin (the clients exit on EOF), wait `graceMs`, then kill. */
  async close(graceMs: number): Promise<void> {
    this.proc.stdin!.end();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    });
    const tooLate = await Promise.race([this.exited.then(() => false), late]);
    clearTimeout(timer);
    if (tooLate) {
      this.kill();
      await this.exited;
    }
  }

  kill(): void {
    if (this.exit === undefined) this.proc.kill("SIGKILL");
  }
}
