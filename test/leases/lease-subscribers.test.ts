// The coordinators' subscriber lists: every subscriber is told, a throwing one is reported and never
// stops the others, each gets its own copy of the lease, and an unsubscribed one hears nothing more.
import { describe, expect, test } from "bun:test";
import { LeaseSubscribers } from "../../src/leases/lease-subscribers.ts";
import { newLease } from "../../src/testing/lease-sim.ts";

describe("LeaseSubscribers", () => {
  test("a throwing subscriber is reported and the others are still told", () => {
    const threw: string[] = [];
    const subs = new LeaseSubscribers((callback, e) => threw.push(`${callback}: ${(e as Error).message}`));
    const heard: string[] = [];
    subs.onLost(() => {
      throw new Error("boom");
    });
    subs.onLost((key, reason) => heard.push(`${key} ${reason}`));
    subs.onHandoff(() => {
      throw new Error("bang");
    });
    subs.onHandoff((key, next) => heard.push(`${key} → ${next}`));
    subs.lostLease("s-1", "stolen");
    subs.handoffRequested("s-2", "w2");
    expect(heard).toEqual(["s-1 stolen", "s-2 → w2"]);
    expect(threw).toEqual(["onLost: boom", "onHandoff: bang"]);
  });

  test("each subscriber gets its own copy of an acquired lease", () => {
    const subs = new LeaseSubscribers();
    const seen: unknown[] = [];
    subs.onAcquired((lease) => {
      lease.leaseOwner = "mutated";
      seen.push(lease);
    });
    subs.onAcquired((lease) => seen.push(lease));
    const lease = newLease("s-1", { leaseOwner: "w1" });
    subs.acquiredLease(lease);
    expect(lease.leaseOwner).toBe("w1");
    expect((seen[1] as { leaseOwner: string }).leaseOwner).toBe("w1");
    expect(seen[0]).not.toBe(seen[1]);
  });

  test("unsubscribing stops the calls; no handoff subscriber is visible to the coordinator", () => {
    const subs = new LeaseSubscribers();
    expect(subs.noHandoffSubscribers).toBe(true);
    const heard: string[] = [];
    const off = subs.onHandoff((key) => heard.push(key));
    expect(subs.noHandoffSubscribers).toBe(false);
    subs.handoffRequested("s-1", "w2");
    off();
    subs.handoffRequested("s-2", "w2");
    expect(heard).toEqual(["s-1"]);
    expect(subs.noHandoffSubscribers).toBe(true);
  });
});
