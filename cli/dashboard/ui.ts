// Dashboard UI state (view, table, selection) and how key presses change it: pure, tested without Ink.

export type View = "main" | "details" | "help";
export type Tab = "mine" | "fleet";

export interface UiState {
  view: View;
  tab: Tab;
  /** The selected lease, by key, so the selection follows its row when rows come and go. */
  selectedKey?: string;
  /** Where the selection was: used when the selected lease leaves the table. */
  selectedIndex: number;
  /** q was pressed: requestStop has been called and must not be called again. */
  stopRequested: boolean;
}

export const INITIAL_UI: UiState = { view: "main", tab: "mine", selectedIndex: 0, stopRequested: false };

/** The keys the dashboard reacts to, already decoded from Ink's useInput. */
export type UiKey =
  | "up"
  | "down"
  | "enter"
  | "back"
  | "tab"
  | "quit"
  | "help"
  | "interrupt"
  | "pageUp"
  | "pageDown";

export type UiEffect = "requestStop" | "interrupt" | undefined;

/** Index of the selected row in `keys` (-1 when the table is empty). */
export function selectedRow(ui: UiState, keys: readonly string[]): number {
  if (keys.length === 0) return -1;
  const at = ui.selectedKey === undefined ? -1 : keys.indexOf(ui.selectedKey);
  return at >= 0 ? at : Math.min(ui.selectedIndex, keys.length - 1);
}

function select(ui: UiState, keys: readonly string[], index: number): UiState {
  if (keys.length === 0) return ui;
  const i = Math.max(0, Math.min(keys.length - 1, index));
  return { ...ui, selectedIndex: i, selectedKey: keys[i] };
}

/**
 * @param keys lease keys of the table on screen (this worker's or the fleet's, per `ui.tab`)
 * @param page rows one page moves
 */
export function onKey(ui: UiState, key: UiKey, keys: readonly string[], page = 10): [UiState, UiEffect] {
  if (key === "interrupt") return [ui, "interrupt"];
  if (key === "quit")
    return ui.stopRequested ? [ui, undefined] : [{ ...ui, stopRequested: true }, "requestStop"];
  if (key === "help") return [{ ...ui, view: ui.view === "help" ? "main" : "help" }, undefined];
  if (ui.view === "help") return key === "back" ? [{ ...ui, view: "main" }, undefined] : [ui, undefined];
  const at = selectedRow(ui, keys);
  switch (key) {
    case "up":
      return [select(ui, keys, at - 1), undefined];
    case "down":
      return [select(ui, keys, at + 1), undefined];
    case "pageUp":
      return [select(ui, keys, at - page), undefined];
    case "pageDown":
      return [select(ui, keys, at + page), undefined];
    case "enter":
      return ui.view === "main" && at >= 0
        ? [{ ...select(ui, keys, at), view: "details" }, undefined]
        : [ui, undefined];
    case "back":
      return [{ ...ui, view: "main" }, undefined];
    case "tab":
      // The selected lease stays selected when the other table has it (the fleet table has them all).
      return [{ ...ui, view: "main", tab: ui.tab === "mine" ? "fleet" : "mine" }, undefined];
    default:
      return [ui, undefined];
  }
}
