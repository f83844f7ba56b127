// Header: who this worker is and the one-glance health numbers (leases, workers, rate, lag, errors).
import { Text } from "ink";
import type { WorkerStatus } from "../../src/status/index.ts";
import { formatBytes, formatCount, formatDuration } from "../../src/status/index.ts";
import { lagColour } from "./format.ts";

const PHASE_COLOUR = {
  starting: "cyan",
  running: "green",
  draining: "magenta",
  stopping: "yellow",
  stopped: "gray",
} as const;

export function Header({ status }: { status: WorkerStatus }) {
  const h = status.header;
  const where = [h.region ?? "region from SDK chain", h.endpoint].filter(Boolean).join(" · ");
  const table = h.table && h.table !== h.app ? ` · table ${h.table}` : "";
  return (
    <>
      <Text wrap="truncate">
        <Text bold color="cyan">
          kcl-ts
        </Text>{" "}
        <Text bold>{h.app}</Text> · stream <Text bold>{h.stream}</Text>
        {table} · {where}
      </Text>
      <Text wrap="truncate">
        worker <Text bold>{h.workerId}</Text> · <Text color={PHASE_COLOUR[h.phase]}>{h.phase}</Text>
        {h.assigner ? <Text color="cyan"> · assigner</Text> : null} · up {formatDuration(h.uptimeMs)}
      </Text>
      <Text wrap="truncate">
        leases <Text bold>{h.leasesHeld}</Text>/{h.leasesTotal} · workers {h.liveWorkers} ·{" "}
        {formatCount(h.recordsPerSecond)} rec/s · {formatBytes(h.bytesPerSecond)}/s · lag max{" "}
        <Text color={lagColour(h.maxLagMs)}>
          {h.maxLagMs === undefined ? "-" : formatDuration(h.maxLagMs)}
        </Text>{" "}
        · errors <Text color={h.errors > 0 ? "red" : undefined}>{h.errors}</Text>
        {h.throttled > 0 ? <Text color="yellow"> · throttled {h.throttled}</Text> : null}
      </Text>
    </>
  );
}
