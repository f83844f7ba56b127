// The lease tables: this worker's held leases, or the whole fleet's lease table (Tab switches); in
// multi-stream mode rows read stream/shardId and stay grouped by stream.
import { Text } from "ink";
import type { FleetLeaseStatus, OwnedLeaseStatus } from "../../src/status/index.ts";
import { formatCount, formatDuration } from "../../src/status/index.ts";
import {
  abbreviateCheckpoint,
  type Colour,
  fit,
  fitMiddle,
  heartbeatColour,
  lagColour,
  shardLabel,
  sparkline,
  stateColour,
  stateLabel,
} from "./format.ts";
import { type Column, type FleetKey, fleetColumns, type OwnedKey, ownedColumns } from "./layout.ts";

interface Cell {
  text: string;
  colour?: Colour;
}

function Row({ cells, selected }: { cells: Cell[]; selected: boolean }) {
  return (
    <Text wrap="truncate" bold={selected}>
      {selected ? <Text color="cyan">{"> "}</Text> : "  "}
      {cells.map((c, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional columns
        <Text key={i} color={c.colour}>
          {i > 0 ? " " : ""}
          {c.text}
        </Text>
      ))}
    </Text>
  );
}

function Titles({ columns }: { columns: Column[] }) {
  return (
    <Text wrap="truncate" dimColor>
      {"  "}
      {columns.map((c) => fit(c.title, c.width, c.align)).join(" ")}
    </Text>
  );
}

/** Which rows to show so the selection stays visible: a window of `size` rows around it. */
export function visibleWindow(total: number, selected: number, size: number): [number, number] {
  if (total <= size) return [0, total];
  const start = Math.max(0, Math.min(total - size, selected - Math.floor(size / 2)));
  return [start, start + size];
}

function More({ hidden }: { hidden: number }) {
  return <Text dimColor>{`  … ${hidden} more (↑/↓ scrolls)`}</Text>;
}

/** Titles, then the rows that fit around the selection (or a dimmed line when there are none). */
function ScrollingTable<K extends string, T extends { leaseKey: string }>(props: {
  columns: Column<K>[];
  items: T[];
  selected: number;
  rows: number;
  empty: string;
  cell: (key: K, item: T, width: number) => Cell;
}) {
  const { columns, items } = props;
  if (items.length === 0) {
    return (
      <>
        <Titles columns={columns} />
        <Text dimColor>{props.empty}</Text>
      </>
    );
  }
  const shown = items.length > props.rows ? Math.max(1, props.rows - 1) : props.rows;
  const [from, to] = visibleWindow(items.length, props.selected, shown);
  return (
    <>
      <Titles columns={columns} />
      {items.slice(from, to).map((item, i) => (
        <Row
          key={item.leaseKey}
          selected={from + i === props.selected}
          cells={columns.map((c) => props.cell(c.key, item, c.width))}
        />
      ))}
      {to - from < items.length ? <More hidden={items.length - (to - from)} /> : null}
    </>
  );
}

function ownedCell(key: OwnedKey, l: OwnedLeaseStatus, width: number, failoverMs: number): Cell {
  switch (key) {
    case "shard":
      return { text: shardLabel(l.leaseKey, width) };
    case "state":
      return { text: fit(stateLabel(l.state), width), colour: stateColour(l.state) };
    case "checkpoint":
      return {
        text: abbreviateCheckpoint(l.checkpoint?.sequenceNumber, l.checkpoint?.subSequenceNumber ?? 0, width),
      };
    case "heartbeat":
      return {
        text: fit(formatDuration(l.heartbeatAgeMs), width, "right"),
        colour: heartbeatColour(l.heartbeatAgeMs, failoverMs),
      };
    case "lag":
      return {
        text: fit(l.lagMs === undefined ? "-" : formatDuration(l.lagMs), width, "right"),
        colour: lagColour(l.lagMs),
      };
    case "trend":
      return { text: sparkline(l.lagTrend, width), colour: lagColour(l.lagMs) };
    case "rate":
      return { text: fit(formatCount(l.recordsPerSecond), width, "right") };
    case "errors":
      return { text: fit(String(l.errors), width, "right"), colour: l.errors > 0 ? "red" : undefined };
  }
}

export function OwnedTable(props: {
  leases: OwnedLeaseStatus[];
  /** The worker is stopping or stopped: an empty table is then expected, not pending. */
  stopping: boolean;
  selected: number;
  rows: number;
  width: number;
  failoverMs: number;
}) {
  return (
    <ScrollingTable
      columns={ownedColumns(props.width)}
      items={props.leases}
      selected={props.selected}
      rows={props.rows}
      empty={
        props.stopping ? "  no leases held" : "  no leases held yet (the taker assigns them on its next scan)"
      }
      cell={(key, l, width) => ownedCell(key, l, width, props.failoverMs)}
    />
  );
}

const FLEET_STATE_COLOUR: Record<FleetLeaseStatus["state"], Colour> = {
  owned: "green",
  unowned: "yellow",
  finished: "gray",
  handoff: "magenta",
};

function fleetCell(key: FleetKey, l: FleetLeaseStatus, width: number, me: string): Cell {
  switch (key) {
    case "shard":
      return { text: shardLabel(l.leaseKey, width) };
    case "owner":
      return {
        text: fitMiddle(l.leaseOwner ?? "-", width),
        colour: l.leaseOwner === me ? "cyan" : l.leaseOwner ? undefined : "gray",
      };
    case "state": {
      const blocked = l.waitingOn.length > 0;
      return {
        text: fit(blocked ? "blocked" : l.state, width),
        colour: blocked ? "yellow" : FLEET_STATE_COLOUR[l.state],
      };
    }
    case "checkpoint":
      return { text: abbreviateCheckpoint(l.checkpoint, l.checkpointSubSequenceNumber, width) };
    case "counter":
      return { text: fit(String(l.leaseCounter), width, "right") };
    case "switches":
      return {
        text: fit(String(l.ownerSwitchesSinceCheckpoint), width, "right"),
        colour: l.ownerSwitchesSinceCheckpoint > 0 ? "yellow" : undefined,
      };
    case "waiting":
      return { text: fit(l.waitingOn.join(", "), width), colour: "yellow" };
  }
}

export function FleetTable(props: {
  leases: FleetLeaseStatus[];
  scanned: boolean;
  selected: number;
  rows: number;
  width: number;
  me: string;
}) {
  return (
    <ScrollingTable
      columns={fleetColumns(props.width)}
      items={props.leases}
      selected={props.selected}
      rows={props.rows}
      empty={props.scanned ? "  the lease table is empty" : "  waiting for the first lease table scan"}
      cell={(key, l, width) => fleetCell(key, l, width, props.me)}
    />
  );
}
