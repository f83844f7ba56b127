// Configuration: options, defaults, validation.
export * from "./options.ts";
export * from "./resolve.ts";
