// Fleet line: every worker in the lease table with its lease count, unowned and finished leases,
// and the children blocked on an unfinished parent (the classic "stuck after resharding" signal).
import { Text } from "ink";
import type { FleetStatus } from "../../src/status/index.ts";

/** How many "waiting on parent" lines the main view spends at most. */
export const MAX_BLOCKED_LINES = 2;

export function blockedLines(fleet: FleetStatus): number {
  const n = fleet.blocked.length;
  return n <= MAX_BLOCKED_LINES ? n : MAX_BLOCKED_LINES;
}

export function FleetSummary({ fleet }: { fleet: FleetStatus }) {
  if (fleet.scannedAt === undefined) {
    return (
      <Text wrap="truncate">
        <Text bold>Fleet </Text>
        <Text dimColor>waiting for the first lease table scan</Text>
      </Text>
    );
  }
  const shown =
    fleet.blocked.length <= MAX_BLOCKED_LINES ? fleet.blocked : fleet.blocked.slice(0, MAX_BLOCKED_LINES - 1);
  const hidden = fleet.blocked.length - shown.length;
  return (
    <>
      <Text wrap="truncate">
        <Text bold>Fleet </Text>
        {fleet.workers.map((w) => (
          <Text key={w.workerId} color={w.isMe ? "cyan" : w.live ? undefined : "gray"}>
            {w.workerId} {w.leases}
            {w.isMe ? " (me)" : w.live ? "" : " (not live)"} ·{" "}
          </Text>
        ))}
        <Text color={fleet.unowned.length > 0 ? "yellow" : undefined}>unowned {fleet.unowned.length}</Text> ·
        finished {fleet.finished.length}
      </Text>
      {shown.map((b) => (
        <Text key={b.leaseKey} wrap="truncate" color="yellow">
          {`  ${b.leaseKey} waiting on parent ${b.waitingOn.join(", ")}`}
        </Text>
      ))}
      {hidden > 0 ? (
        <Text color="yellow">{`  … and ${hidden} more children waiting on parents (Tab: fleet table)`}</Text>
      ) : null}
    </>
  );
}
