// Table-driven tests of the pure shard-sync planner against the Java KCL's hierarchical rules.
import { describe, expect, test } from "bun:test";
import type { InitialPosition } from "../../src/config/options.ts";
import type { Shard } from "../../src/kinesis/port.ts";
import type { Sentinel } from "../../src/leases/lease.ts";
import { type ExistingLease, planLeases } from "../../src/sync/plan.ts";

interface Spec {
  id: string;
  parents?: [string] | [string, string];
  closed?: boolean;
}

/** Shards in creation order (starting sequence numbers increase down the list). */
function shards(specs: Spec[]): Shard[] {
  return specs.map((s, i) => {
    const shard: Shard = {
      shardId: s.id,
      hashKeyRange: { startingHashKey: String(i * 10), endingHashKey: String(i * 10 + 9) },
      startingSequenceNumber: String(1000 + i * 100),
    };
    if (s.parents) shard.parentShardId = s.parents[0];
    if (s.parents?.[1]) shard.adjacentParentShardId = s.parents[1];
    if (s.closed) shard.endingSequenceNumber = String(1000 + i * 100 + 99);
    return shard;
  });
}

const lease = (
  key: string,
  checkpoint = "49590000000000000000000000000000000000000000000000000000",
): ExistingLease => ({
  leaseKey: key,
  checkpoint: { sequenceNumber: checkpoint, subSequenceNumber: 0 },
});
const finished = (key: string) => lease(key, "SHARD_END");

/**
 * The worked example of the Java KCL's docs/lease-lifecycle.md:
 *   0 1 2 3 4 5      (4 stays open)
 *   \ / \ / | |
 *    6   7  4 5  -> 5 splits into 9, 10
 *     \ /   | /\
 *      8    4 9 10   (open)
 */
const JAVA_EXAMPLE = shards([
  { id: "0", closed: true },
  { id: "1", closed: true },
  { id: "2", closed: true },
  { id: "3", closed: true },
  { id: "4" },
  { id: "5", closed: true },
  { id: "6", parents: ["0", "1"], closed: true },
  { id: "7", parents: ["2", "3"], closed: true },
  { id: "8", parents: ["6", "7"] },
  { id: "9", parents: ["5"] },
  { id: "10", parents: ["5"] },
]);

const MERGE = shards([
  { id: "A", closed: true },
  { id: "B", closed: true },
  { id: "C", parents: ["A", "B"] },
]);

const SPLIT = shards([
  { id: "P", closed: true },
  { id: "L", parents: ["P"] },
  { id: "R", parents: ["P"] },
]);

type Row = [
  name: string,
  shards: Shard[],
  existing: ExistingLease[],
  position: InitialPosition,
  expected: Record<string, Sentinel>,
];

const rows: Row[] = [
  [
    "Java example, leases {4,5,7}, LATEST",
    JAVA_EXAMPLE,
    ["4", "5", "7"].map((k) => lease(k)),
    "LATEST",
    { 6: "LATEST" },
  ],
  [
    "Java example, leases {4,5,7}, TRIM_HORIZON: oldest retained ancestors",
    JAVA_EXAMPLE,
    ["4", "5", "7"].map((k) => lease(k)),
    "TRIM_HORIZON",
    { 0: "TRIM_HORIZON", 1: "TRIM_HORIZON" },
  ],
  [
    "Java example, leases {4,5,7}, AT_TIMESTAMP",
    JAVA_EXAMPLE,
    ["4", "5", "7"].map((k) => lease(k)),
    "AT_TIMESTAMP",
    { 0: "AT_TIMESTAMP", 1: "AT_TIMESTAMP" },
  ],
  [
    "Java test, leases {3,4,5}, LATEST",
    JAVA_EXAMPLE,
    ["3", "4", "5"].map((k) => lease(k)),
    "LATEST",
    { 2: "LATEST", 6: "LATEST" },
  ],
  [
    "Java test, leases {3,4,5}, TRIM_HORIZON",
    JAVA_EXAMPLE,
    ["3", "4", "5"].map((k) => lease(k)),
    "TRIM_HORIZON",
    { 0: "TRIM_HORIZON", 1: "TRIM_HORIZON", 2: "TRIM_HORIZON" },
  ],
  [
    "empty table, LATEST: open leaves only",
    JAVA_EXAMPLE,
    [],
    "LATEST",
    { 4: "LATEST", 8: "LATEST", 9: "LATEST", 10: "LATEST" },
  ],
  [
    "empty table, TRIM_HORIZON: the oldest shards only",
    JAVA_EXAMPLE,
    [],
    "TRIM_HORIZON",
    {
      0: "TRIM_HORIZON",
      1: "TRIM_HORIZON",
      2: "TRIM_HORIZON",
      3: "TRIM_HORIZON",
      4: "TRIM_HORIZON",
      5: "TRIM_HORIZON",
    },
  ],
  [
    "empty table, AT_TIMESTAMP: like TRIM_HORIZON, at the timestamp",
    JAVA_EXAMPLE,
    [],
    "AT_TIMESTAMP",
    {
      0: "AT_TIMESTAMP",
      1: "AT_TIMESTAMP",
      2: "AT_TIMESTAMP",
      3: "AT_TIMESTAMP",
      4: "AT_TIMESTAMP",
      5: "AT_TIMESTAMP",
    },
  ],
  [
    "every open shard leased: nothing",
    JAVA_EXAMPLE,
    ["4", "8", "9", "10"].map((k) => lease(k)),
    "TRIM_HORIZON",
    {},
  ],
  ["open children of a leased parent wait for its shard end", SPLIT, [lease("P")], "LATEST", {}],
  ["open children of a leased parent wait (TRIM_HORIZON too)", SPLIT, [lease("P")], "TRIM_HORIZON", {}],
  ["merge: the unleased co-parent gets the initial position", MERGE, [lease("A")], "LATEST", { B: "LATEST" }],
  ["merge: the unleased co-parent, TRIM_HORIZON", MERGE, [lease("A")], "TRIM_HORIZON", { B: "TRIM_HORIZON" }],
  [
    "ancestors expired out of retention: the oldest listed level is the root",
    JAVA_EXAMPLE.filter((s) => !["0", "1", "2", "3"].includes(s.shardId)),
    [],
    "TRIM_HORIZON",
    { 4: "TRIM_HORIZON", 5: "TRIM_HORIZON", 6: "TRIM_HORIZON", 7: "TRIM_HORIZON" },
  ],
  [
    "a child listed while its parent is still open (reshard in progress) is left for the next sync",
    shards([{ id: "P" }, { id: "L", parents: ["P"] }]),
    [],
    "LATEST",
    { P: "LATEST" },
  ],
  [
    "repair: children of a finished parent that has none",
    SPLIT,
    [finished("P")],
    "LATEST",
    { L: "TRIM_HORIZON", R: "TRIM_HORIZON" },
  ],
  [
    "repair: merge child when both parents are finished",
    MERGE,
    [finished("A"), finished("B")],
    "LATEST",
    { C: "TRIM_HORIZON" },
  ],
  [
    "repair: merge child when the other parent is finished and gone",
    MERGE.filter((s) => s.shardId !== "B"),
    [finished("A")],
    "LATEST",
    { C: "TRIM_HORIZON" },
  ],
  [
    "no repair while the other merge parent is still being processed",
    MERGE,
    [finished("A"), lease("B")],
    "LATEST",
    {},
  ],
  [
    "other merge parent unleased but listed: it is created, not the child",
    MERGE,
    [finished("A")],
    "LATEST",
    { B: "LATEST" },
  ],
];

describe("planLeases", () => {
  test.each(rows)("%s", (_name, all, existing, position, expected) => {
    const plan = planLeases(all, existing, position);
    expect(Object.fromEntries(plan.map((l) => [l.leaseKey, l.checkpoint.sequenceNumber]))).toEqual(expected);
  });

  test("leases carry parents, hash range, counter 0, no owner, and come parents first", () => {
    const plan = planLeases(JAVA_EXAMPLE, [], "TRIM_HORIZON");
    expect(plan.map((l) => l.leaseKey)).toEqual(["0", "1", "2", "3", "4", "5"]);
    const child = planLeases(MERGE, [finished("A"), finished("B")], "LATEST")[0]!;
    expect(child).toEqual({
      leaseKey: "C",
      leaseCounter: 0,
      checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
      ownerSwitchesSinceCheckpoint: 0,
      parentShardIds: ["A", "B"],
      childShardIds: [],
      hashKeyRange: { startingHashKey: "20", endingHashKey: "29" },
    });
    expect(child.leaseOwner).toBeUndefined();
    const mixed = planLeases(
      JAVA_EXAMPLE,
      ["4", "5", "7"].map((k) => lease(k)),
      "LATEST",
    );
    expect(mixed[0]!.parentShardIds).toEqual(["0", "1"]);
  });
});
