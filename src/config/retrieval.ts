// Retrieval options (spec §8): polling or enhanced fan-out, and which stream consumer EFO reads through.
import { DEFAULTS, type KclOptions, type RetrievalMode } from "./options.ts";
import { fail, oneOf, optionalString } from "./rules.ts";

const RETRIEVAL: readonly RetrievalMode[] = ["polling", "efo"];
/** RegisterStreamConsumer names: 1–128 of [a-zA-Z0-9_.-]. */
const CONSUMER_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
/** arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<creation time> */
const CONSUMER_ARN =
  /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:\d+$/;

export function retrieval(options: KclOptions, app: string) {
  const mode = oneOf("retrieval", options.retrieval, RETRIEVAL, DEFAULTS.retrieval);
  const name = optionalString("consumer-name", options.consumerName);
  const arn = optionalString("consumer-arn", options.consumerArn);
  if (mode !== "efo" && (name || arn)) {
    fail(
      name ? "consumer-name" : "consumer-arn",
      name ?? arn,
      "is only used with enhanced fan-out (the retrieval is polling)",
      "Add --retrieval efo, or drop the consumer option.",
    );
  }
  if (name && !CONSUMER_NAME.test(name)) {
    fail(
      "consumer-name",
      name,
      "is not a valid stream consumer name (1–128 characters of a-z A-Z 0-9 _ . -)",
      "Choose a name that fits the rule (the default is the app name).",
    );
  }
  if (arn && !CONSUMER_ARN.test(arn)) {
    fail(
      "consumer-arn",
      arn,
      "is not a stream consumer ARN",
      "Pass the ConsumerARN `kcl-ts consumers list` or `aws kinesis list-stream-consumers` shows, " +
        "e.g. arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/billing:1700000000.",
    );
  }
  // An app name may be longer or use characters a consumer name cannot: say so instead of failing later.
  if (mode === "efo" && !name && !arn && !CONSUMER_NAME.test(app)) {
    fail(
      "app",
      app,
      "cannot be the stream consumer name (1–128 characters of a-z A-Z 0-9 _ . -)",
      "Pass --consumer-name <name> or --consumer-arn <arn>.",
    );
  }
  return { retrieval: mode, consumerName: name ?? app, ...(arn ? { consumerArn: arn } : {}) };
}
