// Renders dashboard components with ink-testing-library at a chosen terminal size; frames without ANSI.
import { stripVTControlCharacters } from "node:util";
import { render } from "ink-testing-library";
import type { ReactElement } from "react";

export type Rendered = ReturnType<typeof render> & { text(): string };

/**
 * ink-testing-library's stdout is always 100 columns and has no rows; set both, emit "resize" (what
 * a real terminal does: hooks such as useWindowSize follow it) and render again, so Ink lays out at
 * the size under test (its test stdout is not a TTY, so Ink itself does not listen for resizes).
 */
export function renderAt(node: ReactElement, columns = 100, rows = 40): Rendered {
  const r = render(node);
  resize(r, columns, rows);
  r.rerender(node);
  return Object.assign(r, { text: () => stripVTControlCharacters(r.lastFrame() ?? "") });
}

export function resize(r: ReturnType<typeof render>, columns: number, rows: number): void {
  Object.defineProperty(r.stdout, "columns", { value: columns, configurable: true });
  Object.defineProperty(r.stdout, "rows", { value: rows, configurable: true });
  r.stdout.emit("resize");
}

/** Lets React commit and Ink write (input handling and state updates are asynchronous). */
export function settle(ms = 30): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Every line of a frame fits the terminal width. */
export function widestLine(frame: string): number {
  return Math.max(...frame.split("\n").map((l) => l.length));
}
