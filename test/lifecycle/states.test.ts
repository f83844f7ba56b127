// Every (state × outcome × stop reason) cell of the shard lifecycle table, written out independently.
import { describe, expect, test } from "bun:test";
import { InvariantViolationError } from "../../src/core/errors.ts";
import {
  displayState,
  OUTCOME_KEYS,
  type OutcomeKey,
  SHARD_STATES,
  type ShardState,
  STOP_REASONS,
  type TaskOutcome,
  transition,
} from "../../src/lifecycle/states.ts";

const X = "illegal" as const;
type Cell = ShardState | typeof X;

// Columns: done, blocked, failed, end-of-shard, stop:lease-lost, stop:requested
const EXPECTED: Record<ShardState, [Cell, Cell, Cell, Cell, Cell, Cell]> = {
  "waiting-on-parents": [
    "initializing",
    "waiting-on-parents",
    "waiting-on-parents",
    "shard-end",
    "shut-down",
    "shut-down",
  ],
  initializing: ["processing", X, "initializing", X, "lease-lost", "shutdown-requested"],
  processing: ["processing", "processing", "processing", "shard-end", "lease-lost", "shutdown-requested"],
  "shard-end": ["shut-down", X, "shard-end", X, "lease-lost", "shutdown-requested"],
  "lease-lost": ["shut-down", X, "shut-down", X, "lease-lost", "lease-lost"],
  "shutdown-requested": ["shut-down", X, "shut-down", X, "lease-lost", "shutdown-requested"],
  "shut-down": [X, X, X, X, X, X],
};

function outcomeFor(key: OutcomeKey): TaskOutcome {
  if (key.startsWith("stop:")) return { kind: "stop", reason: key.slice(5) as "lease-lost" | "requested" };
  return { kind: key } as TaskOutcome;
}

describe("shard lifecycle transition table", () => {
  test("covers every outcome kind and stop reason", () => {
    expect(OUTCOME_KEYS).toEqual([
      "done",
      "blocked",
      "failed",
      "end-of-shard",
      ...STOP_REASONS.map((r) => `stop:${r}` as OutcomeKey),
    ]);
    expect(Object.keys(EXPECTED).sort()).toEqual([...SHARD_STATES].sort());
  });

  for (const state of SHARD_STATES) {
    OUTCOME_KEYS.forEach((key, column) => {
      const expected = EXPECTED[state][column] as Cell;
      test(`${state} × ${key} → ${expected}`, () => {
        if (expected === X) {
          expect(() => transition(state, outcomeFor(key))).toThrow(InvariantViolationError);
        } else {
          expect(transition(state, outcomeFor(key))).toBe(expected);
        }
      });
    });
  }

  test("an illegal cell names the state, the outcome and that it is a bug", () => {
    expect(() => transition("shut-down", { kind: "done" })).toThrow(/from "shut-down" on "done".*bug/);
  });

  test("every non-terminal state can reach shut-down", () => {
    for (const start of SHARD_STATES) {
      const seen = new Set<ShardState>([start]);
      const queue = [start];
      while (queue.length) {
        const s = queue.shift()!;
        for (const key of OUTCOME_KEYS) {
          try {
            const n = transition(s, outcomeFor(key));
            if (!seen.has(n)) {
              seen.add(n);
              queue.push(n);
            }
          } catch {}
        }
      }
      expect(seen.has("shut-down")).toBe(true);
    }
  });

  test("lease loss takes precedence once shutting down", () => {
    expect(transition("shutdown-requested", { kind: "stop", reason: "lease-lost" })).toBe("lease-lost");
    expect(transition("lease-lost", { kind: "stop", reason: "requested" })).toBe("lease-lost");
  });

  test("display names match the dashboard's shard states", () => {
    expect(displayState("shutdown-requested")).toBe("shutting-down");
    expect(displayState("processing")).toBe("processing");
  });
});
