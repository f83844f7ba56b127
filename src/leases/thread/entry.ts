// The lease thread's entry point: its own event loop, the worker's only DynamoDB client, the real
// renewer and taker (DefaultLeaseCoordinator). A processor that blocks the main thread cannot delay a
// renewal here. Everything it observes goes to the main thread as messages (protocol.ts), and it answers
// the main thread's own lease-table calls (shard sync, cleanup, start-up checks, drain requests).
import { parentPort } from "node:worker_threads";
import { createLeaseTableClient } from "../../aws/lease-table-client.ts";
import { systemClock } from "../../core/clock.ts";
import { EventBus } from "../../core/events.ts";
import { systemRandom } from "../../core/random.ts";
import { createLeaseCoordinator, type LeaseCoordinator } from "../coordinator.ts";
import { createDynamoOperatorStore } from "../dynamodb-operator-store.ts";
import { createDynamoLeaseStore } from "../dynamodb-store.ts";
import { renewalBatching } from "../renewal-batching.ts";
import type { Lease } from "../lease.ts";
import type { LeaseOperatorStore } from "../operator-store.ts";
import type { LeaseStore } from "../store.ts";
import { LeaseChangeTracker } from "./lease-changes.ts";
import { ThreadOutbox } from "./outbox.ts";
import type { FromThread, LeaseThreadInit, RemoteMethod, ToThread } from "./protocol.ts";
import { serializeError } from "./protocol.ts";

const port = parentPort;
if (!port) throw new Error("src/leases/thread/entry.ts runs only as a worker thread");

const outbox = new ThreadOutbox((message) => port!.postMessage(message), systemClock);
const send = (message: FromThread) => outbox.send(message);

/** One renewal: the main thread gets it in the round's batch (and so knows the new counter). */
function queueRenewal(leaseKey: string, leaseCounter: number): void {
  outbox.renewed(leaseKey, leaseCounter);
  state?.heldChanges.noteCounter(leaseKey, leaseCounter);
}

interface ThreadState {
  coordinator: LeaseCoordinator;
  /** The main thread's lease-table calls (shard sync, cleanup, start-up checks, drain) use these. */
  store: LeaseStore;
  operator: LeaseOperatorStore;
  /** What the main thread was last sent: heartbeats and scans carry only what changed since. */
  heldChanges: LeaseChangeTracker;
  scanChanges: LeaseChangeTracker;
  liveWorkers: string[];
  running?: AbortController;
  close(): void;
}

let state: ThreadState | undefined;
let faultInjection = false;

function start(init: LeaseThreadInit): ThreadState {
  const { config } = init;
  const events = new EventBus(init.workerId, () => systemClock.now());
  events.onAny(({ workerId: _w, at: _a, ...body }) => {
    if (body.type === "lease-renewed") return queueRenewal(body.leaseKey, body.leaseCounter);
    // A taker (or assigner) round's scan goes as changes to the last one; the main thread rebuilds the
    // round's event from its mirror, so the table crosses the boundary once per change, not twice a round.
    const scan = body.type === "lease-table-scanned" ? state?.coordinator.latestScan() : undefined;
    if (!scan || !state) return send({ type: "event", body });
    const liveWorkers = sameStrings(scan.liveWorkers, state.liveWorkers)
      ? {}
      : { liveWorkers: scan.liveWorkers };
    state.liveWorkers = scan.liveWorkers;
    send({ type: "scan", changes: state.scanChanges.diff(scan.leases), ...liveWorkers });
  });
  const built = createLeaseTableClient(
    { region: config.region, dynamodbEndpoint: config.dynamodbEndpoint, credentials: init.credentials },
    systemClock,
    systemRandom,
  );
  const store = createDynamoLeaseStore({
    client: built.client,
    table: config.table,
    target: built.target,
    clock: systemClock,
    random: systemRandom,
    ...renewalBatching(config, events),
  });
  const coordinator = createLeaseCoordinator({
    store,
    workerId: init.workerId,
    config,
    clock: systemClock,
    random: systemRandom,
    events,
  });
  // What the main thread holds: heartbeats send only how the held leases changed since.
  const heldChanges = new LeaseChangeTracker(false);
  coordinator.onAcquired((lease) => {
    heldChanges.note(lease);
    send({ type: "acquired", lease });
  });
  coordinator.onLost((leaseKey, reason) => send({ type: "lost", leaseKey, reason }));
  // Subscribed here so the thread's coordinator waits for the main thread's consumer to shut down
  // (its final checkpoint) instead of transferring the lease at once.
  coordinator.onHandoff((leaseKey, nextOwner) => send({ type: "handoff", leaseKey, nextOwner }));
  const heartbeat = new AbortController();
  void (async () => {
    while (!heartbeat.signal.aborted) {
      const assigner = config.leaseAssignment === "assigner" ? { assigner: coordinator.isAssigner?.() } : {};
      const held = heldChanges.diff(coordinator.heldLeases());
      send({ type: "heartbeat", ...(held ? { held } : {}), ...assigner });
      await systemClock.sleep(init.heartbeatMs, heartbeat.signal).catch(() => {});
    }
  })();
  const operator = createDynamoOperatorStore({
    client: built.client,
    table: config.table,
    target: built.target,
    clock: systemClock,
  });
  return {
    coordinator,
    store,
    operator,
    heldChanges,
    scanChanges: new LeaseChangeTracker(true),
    liveWorkers: [],
    close: () => {
      heartbeat.abort();
      built.client.destroy();
    },
  };
}

async function call(s: ThreadState, id: number, method: RemoteMethod, args: unknown[]): Promise<void> {
  try {
    const fn = s.coordinator[method] as (...a: unknown[]) => Promise<unknown>;
    const value = await fn.apply(s.coordinator, args);
    noteReply(s, method, args[0] as string, value);
    send({ type: "reply", id, ok: true, value });
  } catch (error) {
    send({ type: "reply", id, ok: false, error: serializeError(error) });
  }
}

/** Keeps the held-lease changes exact across what the main thread does with a reply. */
function noteReply(s: ThreadState, method: RemoteMethod, leaseKey: string, value: unknown): void {
  if (method === "release") {
    // The main thread forgets a lease it released; if this thread still holds it (the release failed),
    // the next heartbeat must send it whole again.
    if (s.coordinator.getHeld(leaseKey)) s.heldChanges.forget(leaseKey);
    return;
  }
  // The main thread takes the lease a successful write returns: later changes are against that one.
  if (method !== "checkpoint" && method !== "offerCheckpoint" && method !== "recordResolvedStart") return;
  const outcome = value as { ok?: boolean; value?: Lease } | undefined;
  if (outcome?.ok && outcome.value) s.heldChanges.note(outcome.value, true);
}

async function storeCall(s: ThreadState, message: Extract<ToThread, { type: "store" }>): Promise<void> {
  try {
    const target = (message.port === "lease" ? s.store : s.operator) as unknown as Record<
      string,
      (...a: unknown[]) => Promise<unknown>
    >;
    const value = await target[message.method]!.apply(target, message.args);
    send({ type: "store-reply", id: message.id, ok: true, value });
  } catch (error) {
    send({ type: "store-reply", id: message.id, ok: false, error: serializeError(error) });
  }
}

function run(s: ThreadState): void {
  const running = new AbortController();
  s.running = running;
  s.coordinator.run(running.signal).then(
    () => send({ type: "run-ended" }),
    (error) => send({ type: "run-ended", error: serializeError(error) }),
  );
}

/** Test-only: what a stalled or crashed lease thread looks like to the main thread. */
function inject(message: Extract<ToThread, { type: "inject" }>): void {
  if (message.fault === "crash") throw new Error("injected lease thread crash");
  const until = systemClock.monotonic() + message.ms;
  while (systemClock.monotonic() < until) {
    // Busy: this thread's event loop is blocked, so no renewal, heartbeat or reply goes out.
  }
}

send({ type: "ready" });

port.on("message", (message: ToThread) => {
  if (message.type === "init") {
    faultInjection = message.init.faultInjection === true;
    state = start(message.init);
    return;
  }
  if (message.type === "inject") {
    if (faultInjection) inject(message);
    return;
  }
  if (!state) return;
  switch (message.type) {
    case "run":
      return run(state);
    case "stop-run":
      state.running?.abort();
      return;
    case "call":
      void call(state, message.id, message.method, message.args);
      return;
    case "store":
      void storeCall(state, message);
      return;
    case "drop":
      state.coordinator.dropLocally(message.leaseKey);
      return;
    case "stop-taking":
      state.coordinator.stopTaking();
      return;
  }
});

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
