// Finds or registers the enhanced fan-out stream consumer and waits until it is ACTIVE (spec §8).
// Several workers of a fleet may race to register: the loser finds the winner's consumer by name.
import type { Clock } from "../core/clock.ts";
import { DependencyError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { FanOutPort, StreamConsumer } from "../kinesis/fan-out-port.ts";

export interface ConsumerSetup {
  fanOut: FanOutPort;
  stream: string;
  consumerName: string;
  /** Given: used as is after checking it is (or becomes) ACTIVE; nothing is registered. */
  consumerArn?: string;
  clock: Clock;
  events: EventBus;
  /** How often the status is polled while CREATING/DELETING. Default 500 ms. */
  pollMs?: number;
  /** Give up after this long (AWS takes seconds). Default 120 s. */
  timeoutMs?: number;
}

/** Returns the ARN of an ACTIVE consumer. */
export async function ensureStreamConsumer(o: ConsumerSetup): Promise<string> {
  const pollMs = o.pollMs ?? 500;
  const deadline = o.clock.monotonic() + (o.timeoutMs ?? 120_000);
  if (o.consumerArn) return waitActive(o, o.consumerArn, pollMs, deadline);
  const streamArn = await o.fanOut.streamArn(o.stream);
  for (;;) {
    const found = (await o.fanOut.listConsumers(streamArn)).find((c) => c.consumerName === o.consumerName);
    if (found?.status === "ACTIVE") return found.consumerArn;
    if (found?.status === "CREATING") return waitActive(o, found.consumerArn, pollMs, deadline);
    if (!found) {
      const created = await o.fanOut.registerConsumer(streamArn, o.consumerName);
      if (created) {
        o.events.emit({
          type: "warning",
          message:
            `Registered enhanced fan-out consumer "${o.consumerName}" on stream ${o.stream} (${created.consumerArn}); ` +
            "it is billed per consumer-shard hour until `kcl-ts consumers deregister` removes it.",
        });
        return waitActive(o, created.consumerArn, pollMs, deadline);
      }
      // Lost the registration race: list again and wait for the winner's consumer.
    }
    // DELETING (an operator deregistered it): wait until it is gone, then register anew.
    tooLate(o, deadline, found?.status ?? "absent");
    await o.clock.sleep(pollMs);
  }
}

async function waitActive(o: ConsumerSetup, arn: string, pollMs: number, deadline: number): Promise<string> {
  for (;;) {
    const c: StreamConsumer = await o.fanOut.describeConsumer(arn);
    if (c.status === "ACTIVE") return arn;
    if (c.status === "DELETING") {
      throw new DependencyError(
        `Stream consumer ${arn} is being deleted: enhanced fan-out cannot read through it. ` +
          "Pass another --consumer-arn, or --consumer-name to register a new one.",
        "missing",
        { stream: o.stream, consumerArn: arn },
      );
    }
    tooLate(o, deadline, c.status);
    await o.clock.sleep(pollMs);
  }
}

function tooLate(o: ConsumerSetup, deadline: number, status: string): void {
  if (o.clock.monotonic() < deadline) return;
  throw new DependencyError(
    `Stream consumer "${o.consumerName}" on stream ${o.stream} is still ${status} after ` +
      `${o.timeoutMs ?? 120_000} ms. Check it with \`kcl-ts consumers list\`, or use --retrieval polling.`,
    "unreachable",
    { stream: o.stream },
  );
}
