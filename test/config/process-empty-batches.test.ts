// resolveConfig for processEmptyBatches: absent or false leaves it off (absent from the config), true
// turns it on, anything else is a ConfigurationError naming the flag.
import { expect, test } from "bun:test";
import { resolveConfig } from "../../src/config/resolve.ts";
import { BASE } from "./rejects.ts";

test("processEmptyBatches: off by default, true enables it, a non-boolean is rejected", () => {
  expect(resolveConfig({ ...BASE }).processEmptyBatches).toBeUndefined();
  expect(resolveConfig({ ...BASE, processEmptyBatches: false }).processEmptyBatches).toBeUndefined();
  expect(resolveConfig({ ...BASE, processEmptyBatches: true }).processEmptyBatches).toBe(true);
  expect(() => resolveConfig({ ...BASE, processEmptyBatches: "yes" as unknown as boolean })).toThrow(
    '--process-empty-batches "yes": must be true or false. Pass a boolean.',
  );
});
