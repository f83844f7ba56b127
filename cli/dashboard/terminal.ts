// Shares the terminal between the dashboard and the rest of the process. Plugins print to stdout and
// the CLI prints signal notices to stderr; written straight to the terminal, those lines would tear
// Ink's frame (Ink erases as many lines as it drew). So Ink draws through a facade holding the
// streams' original write, and every other write is routed through Ink, which prints it above the
// frame and redraws the frame below.

type WriteFn = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;

export interface TerminalStream {
  write: WriteFn;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  on(event: "resize", listener: () => void): unknown;
  off(event: "resize", listener: () => void): unknown;
}

/** What Ink renders to: the real stream's size, TTY-ness and resize events, and its original write. */
export class InkTerminal {
  private readonly listeners = new Set<() => void>();
  private readonly forward = () => {
    for (const l of this.listeners) l();
  };

  constructor(
    private readonly real: TerminalStream,
    /** The stream's write as it was before routing (Ink's frames must never be routed back into Ink). */
    readonly write: WriteFn,
  ) {
    real.on("resize", this.forward);
  }

  get isTTY(): boolean | undefined {
    return this.real.isTTY;
  }
  get columns(): number | undefined {
    return this.real.columns;
  }
  get rows(): number | undefined {
    return this.real.rows;
  }
  get destroyed(): boolean {
    return (this.real as { destroyed?: boolean }).destroyed ?? false;
  }
  get writableEnded(): boolean {
    return (this.real as { writableEnded?: boolean }).writableEnded ?? false;
  }
  get writable(): boolean {
    return (this.real as { writable?: boolean }).writable ?? true;
  }
  on(event: string, listener: () => void): this {
    if (event === "resize") this.listeners.add(listener);
    return this;
  }
  off(event: string, listener: () => void): this {
    if (event === "resize") this.listeners.delete(listener);
    return this;
  }
  removeListener(event: string, listener: () => void): this {
    return this.off(event, listener);
  }
  dispose(): void {
    this.real.off("resize", this.forward);
    this.listeners.clear();
  }
}

/**
 * Replaces `stream.write` while the dashboard runs: whole lines are held until flush() hands them to
 * `sink` (Ink's write) in one piece — each sink call redraws the frame, so a plugin printing every
 * record must cost one redraw per frame, not one per line. A partial line waits for its newline.
 * Until a sink is attached, writes pass through unchanged.
 */
export class WriteRouter {
  readonly original: WriteFn;
  private sink: ((text: string) => void) | undefined;
  private partial = "";
  private held: string[] = [];
  private readonly decoder = new TextDecoder();
  private readonly routed: WriteFn;

  constructor(private readonly stream: TerminalStream) {
    this.original = stream.write.bind(stream) as WriteFn;
    this.routed = (chunk, encoding, callback) => {
      const done = typeof encoding === "function" ? encoding : callback;
      if (!this.sink) return this.original(chunk, encoding, callback);
      const text =
        typeof chunk === "string" ? chunk : this.decoder.decode(chunk as Uint8Array, { stream: true });
      const cut = (this.partial + text).lastIndexOf("\n");
      const all = this.partial + text;
      if (cut >= 0) {
        this.partial = all.slice(cut + 1);
        this.held.push(all.slice(0, cut + 1));
      } else {
        this.partial = all;
      }
      if (typeof done === "function") queueMicrotask(() => (done as () => void)());
      return true;
    };
    stream.write = this.routed;
  }

  attach(sink: (text: string) => void): void {
    this.sink = sink;
  }

  /** Prints the held lines above the frame (called on the frame timer). */
  flush(): void {
    if (this.held.length === 0 || !this.sink) return;
    const text = this.held.join("");
    this.held = [];
    this.sink(text);
  }

  /** Puts the stream's own write back; returns what was held and not yet printed. */
  release(): string {
    if (this.stream.write === this.routed) this.stream.write = this.original;
    this.sink = undefined;
    const rest = this.held.join("") + this.partial;
    this.held = [];
    this.partial = "";
    return rest;
  }
}
