// The lease thread's side of the message port: renewals wait up to RENEWAL_BATCH_MS for the rest of
// their round and go as one `renewed` message. Any other message but a reply first sends the waiting
// batch, so events reach the main thread in the order they happened (a renewal never arrives after the
// loss of the same lease, nor a loss before the renewals that preceded it). Replies (one per auto
// checkpoint offer, the most frequent message) may overtake a waiting batch: the main thread never lets
// a renewal lower the counter a reply brought.
import type { Clock } from "../../core/clock.ts";
import type { FromThread } from "./protocol.ts";

/** How long a renewal may wait for others of the same round before the batch goes out. */
export const RENEWAL_BATCH_MS = 500;

export class ThreadOutbox {
  private keys: string[] = [];
  private counters: number[] = [];
  private flushScheduled = false;

  constructor(
    private readonly post: (message: FromThread) => void,
    private readonly clock: Clock,
  ) {}

  send(message: FromThread): void {
    if (message.type !== "reply" && message.type !== "store-reply") this.flush();
    this.post(message);
  }

  /** One renewal (`lease-renewed`): sent with the others of its round. */
  renewed(leaseKey: string, leaseCounter: number): void {
    this.keys.push(leaseKey);
    this.counters.push(leaseCounter);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    void this.clock.sleep(RENEWAL_BATCH_MS).then(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.keys.length === 0) return;
    const message: FromThread = { type: "renewed", keys: this.keys, counters: this.counters };
    this.keys = [];
    this.counters = [];
    this.post(message);
  }
}
