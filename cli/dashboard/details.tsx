// Details of one lease: every lease attribute (Java KCL names), lineage, and what this worker knows
// about it (state, heartbeat, checkpoint writes, lag trend, last error).
import { Box, Text } from "ink";
import type { LeaseView } from "../../src/core/events.ts";
import type { FleetLeaseStatus, OwnedLeaseStatus, WorkerStatus } from "../../src/status/index.ts";
import { formatBytes, formatCount, formatDuration } from "../../src/status/index.ts";
import {
  clockTime,
  type Colour,
  heartbeatColour,
  lagColour,
  sparkline,
  stateColour,
  stateLabel,
} from "./format.ts";

const LABEL = 31;

function Field({ label, value, colour }: { label: string; value: string; colour?: Colour }) {
  return (
    <Box>
      <Box width={LABEL} flexShrink={0}>
        <Text dimColor>{`  ${label}`}</Text>
      </Box>
      <Text color={colour} wrap="wrap">
        {value}
      </Text>
    </Box>
  );
}

/** "shardId-1 (finished)": where each parent or child stands in the last scan. */
function lineage(ids: readonly string[], fleet: FleetLeaseStatus[], me: string): string {
  if (ids.length === 0) return "none";
  return ids
    .map((id) => {
      const l = fleet.find((f) => f.leaseKey === id);
      if (!l) return `${id} (not in table)`;
      if (l.state === "finished") return `${id} (finished)`;
      if (!l.leaseOwner) return `${id} (unowned)`;
      return `${id} (${l.leaseOwner === me ? "this worker" : `owned by ${l.leaseOwner}`})`;
    })
    .join(", ");
}

function TableAttributes({ row, status }: { row: LeaseView; status: WorkerStatus }) {
  const me = status.header.workerId;
  const { leases } = status.fleet;
  const opt = (v: string | number | undefined) => (v === undefined ? "-" : String(v));
  return (
    <>
      <Field label="leaseKey" value={row.leaseKey} />
      <Field
        label="leaseOwner"
        value={
          row.leaseOwner ? `${row.leaseOwner}${row.leaseOwner === me ? " (this worker)" : ""}` : "- (unowned)"
        }
      />
      <Field label="leaseCounter" value={String(row.leaseCounter)} />
      <Field label="checkpoint" value={row.checkpoint} />
      <Field label="checkpointSubSequenceNumber" value={String(row.checkpointSubSequenceNumber)} />
      <Field
        label="pendingCheckpoint"
        value={
          row.pendingCheckpoint
            ? `${row.pendingCheckpoint} +${row.pendingCheckpointSubSequenceNumber ?? 0}`
            : "-"
        }
      />
      <Field label="ownerSwitchesSinceCheckpoint" value={String(row.ownerSwitchesSinceCheckpoint)} />
      <Field label="checkpointOwner" value={opt(row.checkpointOwner)} />
      <Field label="parentShardId" value={lineage(row.parentShardIds, leases, me)} />
      <Field label="childShardIds" value={lineage(row.childShardIds, leases, me)} />
      {row.startingHashKey !== undefined ? (
        <Field label="startingHashKey" value={row.startingHashKey} />
      ) : null}
      {row.endingHashKey !== undefined ? <Field label="endingHashKey" value={row.endingHashKey} /> : null}
      {row.throughputKBps !== undefined ? (
        <Field label="throughputKBps" value={String(row.throughputKBps)} />
      ) : null}
    </>
  );
}

function Local({ lease, status }: { lease: OwnedLeaseStatus; status: WorkerStatus }) {
  const ckpt = lease.checkpoint;
  const trend = lease.lagTrend;
  const err = lease.lastError;
  const retry = err?.retryInMs !== undefined ? ` in ${formatDuration(err.retryInMs)}` : "";
  return (
    <>
      <Text bold>This worker</Text>
      <Field
        label="state"
        value={`${stateLabel(lease.state)}${lease.detail ? ` (${lease.detail})` : ""}`}
        colour={stateColour(lease.state)}
      />
      <Field
        label="acquired"
        value={`${clockTime(lease.acquiredAt)} (${lease.how}${lease.previousOwner ? ` from ${lease.previousOwner}` : ""})`}
      />
      <Field
        label="last heartbeat"
        value={`${formatDuration(lease.heartbeatAgeMs)} ago (failover ${formatDuration(status.failoverMs)})`}
        colour={heartbeatColour(lease.heartbeatAgeMs, status.failoverMs)}
      />
      <Field
        label="checkpoint written"
        value={
          ckpt?.at !== undefined
            ? `${ckpt.sequenceNumber} +${ckpt.subSequenceNumber} at ${clockTime(ckpt.at)} (${ckpt.by})`
            : "none since acquired"
        }
      />
      <Field
        label="lag (MillisBehindLatest)"
        value={lease.lagMs === undefined ? "-" : formatDuration(lease.lagMs)}
        colour={lagColour(lease.lagMs)}
      />
      <Field
        label="lag trend"
        value={
          trend.length === 0
            ? "-"
            : `${sparkline(trend, Math.min(trend.length, 40))}  last ${trend.length} s, max ${formatDuration(Math.max(...trend))}`
        }
        colour={lagColour(lease.lagMs)}
      />
      <Field
        label="records"
        value={`${lease.recordsTotal} total (${formatBytes(lease.bytesTotal)}) · ${formatCount(lease.recordsPerSecond)} rec/s · ${formatBytes(lease.bytesPerSecond)}/s`}
      />
      <Field
        label="processor errors"
        value={String(lease.errors)}
        colour={lease.errors > 0 ? "red" : undefined}
      />
      <Field
        label="last error"
        value={
          err ? `${clockTime(err.at)} attempt ${err.attempt}, ${err.action}${retry}: ${err.message}` : "none"
        }
        colour={err ? "red" : undefined}
      />
      <Field label="throttled" value={String(lease.throttled)} />
    </>
  );
}

/**
 * The table row as this worker knows it best: a scan taken before this worker took the lease (or
 * before its last renew or checkpoint) still shows the old owner, counter and checkpoint.
 */
function withOwnView(row: LeaseView, owned: OwnedLeaseStatus | undefined, me: string): LeaseView {
  if (!owned) return row;
  const ckpt = owned.checkpoint;
  return {
    ...row,
    leaseOwner: me,
    leaseCounter: Math.max(row.leaseCounter, owned.leaseCounter),
    checkpoint: ckpt?.sequenceNumber ?? row.checkpoint,
    checkpointSubSequenceNumber: ckpt?.subSequenceNumber ?? row.checkpointSubSequenceNumber,
  };
}

export function Details({ leaseKey, status }: { leaseKey: string | undefined; status: WorkerStatus }) {
  const owned = status.leases.find((l) => l.leaseKey === leaseKey);
  const scanned = status.fleet.leases.find((l) => l.leaseKey === leaseKey) ?? owned?.table;
  const row = scanned ? withOwnView(scanned, owned, status.header.workerId) : undefined;
  const waiting = status.fleet.leases.find((l) => l.leaseKey === leaseKey)?.waitingOn ?? [];
  const title = owned ? "held by this worker" : row?.leaseOwner ? `owned by ${row.leaseOwner}` : "not held";
  const asOf = status.fleet.scannedAt;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>Lease {leaseKey ?? "-"}</Text> · {title}
        <Text dimColor> (Esc back · ↑/↓ other leases)</Text>
      </Text>
      {waiting.length > 0 ? <Text color="yellow">{`  waiting on parent ${waiting.join(", ")}`}</Text> : null}
      {row ? (
        <>
          <TableAttributes row={row} status={status} />
          {asOf !== undefined ? (
            <Text dimColor wrap="truncate">
              {`  lease table as of ${clockTime(asOf)}${owned ? "; owner, counter and checkpoint as this worker knows them" : ""}`}
            </Text>
          ) : null}
        </>
      ) : (
        <Text dimColor>{"  not in the last lease table scan yet"}</Text>
      )}
      {owned ? <Local lease={owned} status={status} /> : null}
    </Box>
  );
}
