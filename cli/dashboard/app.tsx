// The interactive dashboard: reads snapshots from the store, keeps the UI state, maps keys to actions.
import { useInput, useStdin, useWindowSize } from "ink";
import { useRef, useState, useSyncExternalStore } from "react";
import { Dashboard, tableKeys } from "./dashboard.tsx";
import type { StatusStore } from "./store.ts";
import { INITIAL_UI, onKey, type UiKey, type UiState } from "./ui.ts";

export interface AppProps {
  store: StatusStore;
  /** q: graceful shutdown (the CLI's SIGTERM path). Called at most once. */
  onQuit: () => void;
  /** Ctrl+C while the terminal is in raw mode (the terminal then sends no SIGINT itself). */
  onInterrupt: () => void;
}

type InkKey = Parameters<Parameters<typeof useInput>[0]>[1];

export function decodeKey(input: string, key: InkKey): UiKey | undefined {
  if (key.ctrl && input === "c") return "interrupt";
  if (key.upArrow || input === "k") return "up";
  if (key.downArrow || input === "j") return "down";
  if (key.pageUp) return "pageUp";
  if (key.pageDown) return "pageDown";
  if (key.return) return "enter";
  if (key.escape || key.backspace || key.leftArrow) return "back";
  if (key.tab) return "tab";
  if (input === "q") return "quit";
  if (input === "?") return "help";
  return undefined;
}

export function App({ store, onQuit, onInterrupt }: AppProps) {
  const status = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const { columns, rows } = useWindowSize();
  const [ui, setUi] = useState<UiState>(INITIAL_UI);
  // Keys can arrive faster than React re-renders (one stdin chunk with ↓ and Enter): each key must
  // see the state the previous key left, not the last rendered one.
  const latest = useRef<UiState>(INITIAL_UI);
  const { isRawModeSupported } = useStdin();

  // useInput would throw without raw mode (stdin not a TTY): then the dashboard is view-only.
  useInput(
    (input, key) => {
      const decoded = decodeKey(input, key);
      if (!decoded) return;
      const current = latest.current;
      const [next, effect] = onKey(
        current,
        decoded,
        tableKeys(store.getSnapshot(), current),
        Math.max(1, rows - 14),
      );
      latest.current = next;
      if (next !== current) setUi(next);
      if (effect === "requestStop") onQuit();
      else if (effect === "interrupt") onInterrupt();
    },
    { isActive: isRawModeSupported === true },
  );

  return <Dashboard status={status} ui={ui} columns={columns} rows={rows} />;
}
