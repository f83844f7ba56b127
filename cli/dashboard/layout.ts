// Fits the lease tables to the terminal width and splits the terminal height between the sections.

export interface Column<K extends string = string> {
  key: K;
  title: string;
  width: number;
  align: "left" | "right";
}

interface Spec<K extends string> {
  key: K;
  title: string;
  /** Title when the column is wide enough for it. */
  wideTitle?: string;
  min: number;
  max: number;
  align?: "left" | "right";
  /** Dropped first when the terminal is too narrow (lower drops earlier). */
  dropRank?: number;
  /** Shown only when it can be at least this wide (min is then 0). */
  minToShow?: number;
}

/** The selection marker in front of every row. */
export const MARKER_WIDTH = 2;

/**
 * Starts every column at its minimum, drops optional columns while they do not fit, then hands the
 * spare width out in `grow` steps ([column, up to width]). A column with `minToShow` appears only
 * when it gets at least that much. One terminal column stays free so no line touches the right
 * edge (a full-width line makes some terminals wrap).
 */
function layout<K extends string>(specs: Spec<K>[], grow: [K, number][], columns: number): Column<K>[] {
  const budget = Math.max(20, columns - 1);
  let chosen = [...specs];
  // Columns shown only when wide enough cost nothing (not even their gap) until they are shown.
  const fixed = () => chosen.filter((s) => s.minToShow === undefined);
  const used = () => MARKER_WIDTH + fixed().reduce((n, s) => n + s.min + 1, 0) - 1;
  const droppable = chosen.filter((s) => s.dropRank !== undefined).sort((a, b) => a.dropRank! - b.dropRank!);
  while (used() > budget && droppable.length > 0) {
    const drop = droppable.shift()!;
    chosen = chosen.filter((s) => s !== drop);
  }
  const widths = new Map(chosen.map((s) => [s.key, s.min]));
  let spare = budget - used();
  for (const [key, upTo] of grow) {
    const spec = chosen.find((s) => s.key === key);
    if (!spec || spare <= 0) continue;
    const width = widths.get(key)!;
    // A column appearing now also needs the gap in front of it.
    const gap = spec.minToShow !== undefined && width === 0 ? 1 : 0;
    const add = Math.min(spare - gap, Math.min(upTo, spec.max) - width);
    if (add <= 0 || (spec.minToShow !== undefined && width + add < spec.minToShow)) continue;
    widths.set(key, width + add);
    spare -= add + gap;
  }
  return chosen
    .filter((s) => s.minToShow === undefined || widths.get(s.key)! >= s.minToShow)
    .map((s) => {
      const width = widths.get(s.key)!;
      const title = s.wideTitle && width >= s.wideTitle.length ? s.wideTitle : s.title;
      return { key: s.key, title, width, align: s.align ?? "left" };
    });
}

export type OwnedKey = "shard" | "state" | "checkpoint" | "heartbeat" | "lag" | "trend" | "rate" | "errors";

/** 80 columns: 2 + 20 13 12 5 6 5 5 3 + 7 gaps = 78. */
export function ownedColumns(columns: number): Column<OwnedKey>[] {
  return layout<OwnedKey>(
    [
      { key: "shard", title: "SHARD", min: 20, max: 28 },
      { key: "state", title: "STATE", min: 13, max: 13 },
      { key: "checkpoint", title: "CHECKPOINT", min: 12, max: 26 },
      { key: "heartbeat", title: "BEAT", wideTitle: "HEARTBEAT", min: 5, max: 9, align: "right" },
      { key: "lag", title: "LAG", min: 6, max: 7, align: "right" },
      { key: "trend", title: "TREND", wideTitle: "LAG TREND", min: 5, max: 30, dropRank: 1 },
      { key: "rate", title: "REC/S", min: 5, max: 7, align: "right" },
      { key: "errors", title: "ERR", wideTitle: "ERRORS", min: 3, max: 6, align: "right", dropRank: 2 },
    ],
    [
      ["heartbeat", 9],
      ["lag", 7],
      ["rate", 7],
      ["errors", 6],
      ["trend", 20],
      ["checkpoint", 26],
      ["trend", 30],
      ["shard", 28],
    ],
    columns,
  );
}

export type FleetKey = "shard" | "owner" | "state" | "checkpoint" | "counter" | "switches" | "waiting";

/** 80 columns: 2 + 20 16 8 12 7 3 + 5 gaps; "waiting on" appears from ~100 columns. */
export function fleetColumns(columns: number): Column<FleetKey>[] {
  return layout<FleetKey>(
    [
      { key: "shard", title: "SHARD", min: 20, max: 28 },
      { key: "owner", title: "OWNER", min: 16, max: 34 },
      { key: "state", title: "STATE", min: 8, max: 8 },
      { key: "checkpoint", title: "CHECKPOINT", min: 12, max: 26 },
      { key: "counter", title: "COUNTER", min: 7, max: 7, align: "right", dropRank: 2 },
      { key: "switches", title: "SW", wideTitle: "SWITCHES", min: 3, max: 8, align: "right", dropRank: 1 },
      { key: "waiting", title: "WAITING ON", min: 0, max: 60, dropRank: 0, minToShow: 20 },
    ],
    [
      ["owner", 26],
      ["waiting", 44],
      ["checkpoint", 26],
      ["switches", 8],
      ["owner", 34],
      ["waiting", 60],
      ["shard", 28],
    ],
    columns,
  );
}

export interface HeightPlan {
  /** Table rows shown (the rest scroll). */
  tableRows: number;
  /** Event log lines shown. */
  eventRows: number;
}

/**
 * Lines outside the table and the log: header 3, table title + column titles 2, fleet line 1,
 * blocked lines, log title 1, footer 1. One line stays free: a frame as tall as the terminal
 * makes Ink clear the whole screen on every frame (flicker).
 */
export function planHeight(
  rows: number,
  tableSize: number,
  blockedLines: number,
  events: number,
): HeightPlan {
  const fixed = 3 + 2 + 1 + blockedLines + 1 + 1;
  const free = Math.max(2, rows - 1 - fixed);
  const minEvents = Math.min(events, 3, free - 1);
  const tableRows = Math.max(1, Math.min(Math.max(tableSize, 1), free - minEvents));
  const eventRows = Math.max(0, Math.min(events, free - tableRows));
  return { tableRows, eventRows };
}
