// The whole screen for one snapshot and UI state: pure rendering, no input, no timers.
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import type { WorkerStatus } from "../../src/status/index.ts";
import { Details } from "./details.tsx";
import { EventLog } from "./event-log.tsx";
import { blockedLines, FleetSummary } from "./fleet-summary.tsx";
import { Header } from "./header.tsx";
import { Help } from "./help.tsx";
import { planHeight } from "./layout.ts";
import { FleetTable, OwnedTable } from "./lease-table.tsx";
import { selectedRow, type UiState } from "./ui.ts";

export interface DashboardProps {
  status: WorkerStatus;
  ui: UiState;
  columns: number;
  rows: number;
}

/** Lease keys of the table on screen, in display order (what ↑/↓ move through). */
export function tableKeys(status: WorkerStatus, ui: UiState): string[] {
  return ui.tab === "mine"
    ? status.leases.map((l) => l.leaseKey)
    : status.fleet.leases.map((l) => l.leaseKey);
}

function Footer({ status, ui }: { status: WorkerStatus; ui: UiState }) {
  const phase = status.header.phase;
  if (phase === "stopping" || (ui.stopRequested && phase !== "stopped")) {
    return <Text color="yellow">stopping: final checkpoints, releasing leases…</Text>;
  }
  if (phase === "stopped") return <Text color="gray">stopped</Text>;
  if (phase === "draining" && !ui.stopRequested) {
    return (
      <Text color="magenta">
        draining (operator request): leases handed over, none taken until restart · q quit
      </Text>
    );
  }
  const back = ui.view === "main" ? "" : "Esc back · ";
  const tab = ui.tab === "mine" ? "Tab fleet table" : "Tab my leases";
  return (
    <Text dimColor wrap="truncate">
      {`${back}↑↓ select · Enter details · ${tab} · q quit · ? help`}
    </Text>
  );
}

export function Dashboard({ status, ui, columns, rows }: DashboardProps) {
  const keys = tableKeys(status, ui);
  const selected = selectedRow(ui, keys);
  const width = Math.max(40, columns);
  let body: ReactNode;
  if (ui.view === "help") {
    body = <Help failoverMs={status.failoverMs} />;
  } else if (ui.view === "details") {
    body = <Details leaseKey={keys[selected] ?? ui.selectedKey} status={status} />;
  } else {
    const plan = planHeight(rows, keys.length, blockedLines(status.fleet), status.events.length);
    const mine = ui.tab === "mine";
    body = (
      <>
        <Text wrap="truncate">
          <Text bold>{mine ? `My leases (${keys.length})` : `Fleet lease table (${keys.length})`}</Text>
          <Text dimColor>{mine ? "  Tab: whole fleet" : "  Tab: my leases"}</Text>
        </Text>
        {mine ? (
          <OwnedTable
            leases={status.leases}
            stopping={["draining", "stopping", "stopped"].includes(status.header.phase)}
            selected={selected}
            rows={plan.tableRows}
            width={width}
            failoverMs={status.failoverMs}
          />
        ) : (
          <FleetTable
            leases={status.fleet.leases}
            scanned={status.fleet.scannedAt !== undefined}
            selected={selected}
            rows={plan.tableRows}
            width={width}
            me={status.header.workerId}
          />
        )}
        <FleetSummary fleet={status.fleet} />
        <EventLog events={status.events} rows={plan.eventRows} />
      </>
    );
  }
  return (
    <Box flexDirection="column">
      <Header status={status} />
      {body}
      <Footer status={status} ui={ui} />
    </Box>
  );
}
