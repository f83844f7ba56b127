// The movement log, newest first: why leases moved or work stalled.
import { Text } from "ink";
import type { LogEntry } from "../../src/status/index.ts";
import { clockTime } from "./format.ts";

const COLOUR = { info: undefined, warn: "yellow", error: "red" } as const;

export function EventLog({ events, rows }: { events: LogEntry[]; rows: number }) {
  const newest = events.slice(-Math.max(0, rows)).reverse();
  return (
    <>
      <Text bold>
        Events <Text dimColor>(newest first)</Text>
      </Text>
      {events.length === 0 ? <Text dimColor>{"  none yet"}</Text> : null}
      {newest.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: entries have no identity; position is stable within a frame
        <Text key={i} wrap="truncate" color={COLOUR[e.severity]}>
          <Text dimColor>{clockTime(e.at)}</Text> {e.text}
          {e.count > 1 ? ` ×${e.count}` : ""}
        </Text>
      ))}
    </>
  );
}
