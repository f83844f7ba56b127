// Fault injection into a worker's lease thread, for tests of the main thread's safety nets: a stall
// (the thread's event loop blocked for `ms`) or a crash. Get the thread with WorkerDeps.onLeaseThread;
// a thread started without that seam ignores these messages.
import type { LeaseThreadFault } from "../leases/thread/protocol.ts";
import type { LeaseThreadHandle } from "../leases/thread/threaded-coordinator.ts";

export type { LeaseThreadFault };

export function injectLeaseThreadFault(thread: LeaseThreadHandle, fault: LeaseThreadFault): void {
  thread.post({ type: "inject", ...fault });
}
