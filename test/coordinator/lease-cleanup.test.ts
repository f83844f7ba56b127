// Which finished leases may be deleted: Java's LeaseCleanupManager rules, table-driven.
import { describe, expect, test } from "bun:test";
import { finishedLeasesToDelete } from "../../src/coordinator/lease-cleanup.ts";
import type { Lease } from "../../src/leases/lease.ts";

function l(key: string, checkpoint: string, over: Partial<Lease> = {}): Lease {
  return {
    leaseKey: key,
    leaseCounter: 1,
    checkpoint: { sequenceNumber: checkpoint, subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    ...over,
  };
}

const END = "SHARD_END";

describe("finishedLeasesToDelete", () => {
  const cases: [string, Lease[], string[]][] = [
    [
      "children checkpointed → delete",
      [l("p", END, { childShardIds: ["a", "b"] }), l("a", "10"), l("b", END)],
      ["p"],
    ],
    [
      "a child still at TRIM_HORIZON → keep",
      [l("p", END, { childShardIds: ["a", "b"] }), l("a", "10"), l("b", "TRIM_HORIZON")],
      [],
    ],
    [
      "a child at LATEST or AT_TIMESTAMP → keep",
      [l("p", END, { childShardIds: ["a"] }), l("a", "AT_TIMESTAMP")],
      [],
    ],
    ["a child lease missing → keep", [l("p", END, { childShardIds: ["a", "b"] }), l("a", "10")], []],
    ["children unknown → keep", [l("p", END)], []],
    ["not finished → keep", [l("p", "99", { childShardIds: ["a"] }), l("a", "10")], []],
    [
      "its own parent still exists → keep (lineage order)",
      [
        l("g", END, { childShardIds: ["p"] }),
        l("p", END, { parentShardIds: ["g"], childShardIds: ["a"] }),
        l("a", "10", { parentShardIds: ["p"] }),
      ],
      ["g"],
    ],
    [
      "owned by a live other worker → keep",
      [l("p", END, { childShardIds: ["a"], leaseOwner: "other" }), l("a", "1")],
      [],
    ],
    ["owned by me → delete", [l("p", END, { childShardIds: ["a"], leaseOwner: "me" }), l("a", "1")], ["p"]],
    [
      "owned by a worker no longer live → delete",
      [l("p", END, { childShardIds: ["a"], leaseOwner: "dead" }), l("a", "1")],
      ["p"],
    ],
  ];
  for (const [name, leases, expected] of cases) {
    test(name, () => {
      expect(finishedLeasesToDelete(leases, "me", ["me", "other"])).toEqual(expected);
    });
  }
});
