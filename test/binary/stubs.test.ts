// The build-time stand-ins compiled into the binary instead of native or optional modules.
import { describe, expect, test } from "bun:test";
import { Level } from "../../build/stubs/level.ts";
import leveldown from "../../build/stubs/leveldown.ts";
import devtools from "../../build/stubs/react-devtools-core.ts";

describe("build stubs", () => {
  test("level keeps data in memory whatever location dynalite passes", async () => {
    const db = new Level<string, { n: number }>("/nonexistent/dir", { valueEncoding: "json" });
    await db.put("a", { n: 1 });
    expect(await db.get("a")).toEqual({ n: 1 });
    expect(await db.keys().all()).toEqual(["a"]);
    await db.close();
  });

  test("leveldown refuses on-disk persistence with a message that says why", () => {
    expect(() => leveldown("/var/kinesalite")).toThrow(/in memory only.*\/var\/kinesalite/);
  });

  test("react-devtools-core offers the two calls Ink makes, as no-ops", () => {
    expect(devtools.initialize()).toBeUndefined();
    expect(devtools.connectToDevTools()).toBeUndefined();
  });
});
