// The ? screen: keys and what the colours mean.
import { Box, Text } from "ink";
import { formatDuration } from "../../src/status/index.ts";

const KEYS: [string, string][] = [
  ["↑ / ↓  (k / j)", "select a lease row (PgUp / PgDn: a page)"],
  ["Enter", "details of the selected lease"],
  ["Esc", "back to the tables"],
  ["Tab", "this worker's leases ⇄ the whole fleet's lease table"],
  ["q", "graceful shutdown: checkpoint, release leases, exit (as SIGTERM)"],
  ["Ctrl+C", "same as SIGINT (twice forces exit)"],
  ["?", "this help"],
];

export function Help({ failoverMs }: { failoverMs: number }) {
  return (
    <Box flexDirection="column">
      <Text bold>Keys</Text>
      {KEYS.map(([key, what]) => (
        <Text key={key} wrap="truncate">
          {"  "}
          <Text color="cyan">{key.padEnd(16)}</Text>
          {what}
        </Text>
      ))}
      <Text bold>Columns</Text>
      <Box paddingLeft={2} flexDirection="column">
        <Text wrap="wrap">
          {"BEAT: time since the last successful heartbeat of the lease: "}
          <Text color="green">green</Text>
          {" below half the failover time, "}
          <Text color="yellow">yellow</Text>
          {" below 80 %, "}
          <Text color="red">red</Text>
          {` beyond (failover ${formatDuration(failoverMs)}: then other workers may take the lease).`}
        </Text>
        <Text wrap="wrap">
          LAG: MillisBehindLatest of the last GetRecords. TREND: one sample a second, scaled to the largest.
        </Text>
        <Text wrap="wrap">
          Fleet STATE: owned, unowned, finished (SHARD_END), handoff (checkpointOwner set), blocked (a parent
          is unfinished).
        </Text>
      </Box>
      <Text dimColor>Esc or ? closes this help.</Text>
    </Box>
  );
}
