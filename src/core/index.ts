// Engine core: clock, randomness, errors, events, logging, backoff. Imports nothing else.
export * from "./backoff.ts";
export * from "./clock.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./logger.ts";
export * from "./random.ts";
