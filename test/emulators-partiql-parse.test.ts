// The PartiQL UPDATE subset parser: what it accepts, the UpdateItem it builds, and what it refuses.
import { describe, expect, test } from "bun:test";
import { PartiqlValidationError, parseUpdate, toUpdateItem } from "../cli/local/partiql-update.ts";

const S = (s: string) => ({ S: s });

describe("parseUpdate / toUpdateItem", () => {
  test("keywords in any case, optional spaces, escaped quotes; parameters in order of appearance", () => {
    const parsed = parseUpdate(
      `update "t""x" Set "a"=?  SET "b" = ? remove "c" where "o"=? AND "k" = ?\nand "p" is missing `,
    );
    expect(parsed.table).toBe('t"x');
    const update = toUpdateItem(parsed, "k", [S("1"), S("2"), S("3"), S("key")]);
    expect(update).toEqual({
      TableName: 't"x',
      Key: { k: S("key") },
      UpdateExpression: "SET #s0 = :s0, #s1 = :s1 REMOVE #r0",
      ConditionExpression: "attribute_exists(#k) AND #c0 = :c0 AND attribute_not_exists(#c2)",
      ExpressionAttributeNames: { "#k": "k", "#s0": "a", "#s1": "b", "#r0": "c", "#c0": "o", "#c2": "p" },
      ExpressionAttributeValues: { ":s0": S("1"), ":s1": S("2"), ":c0": S("3") },
    });
  });

  test.each([
    ["a SELECT", `SELECT * FROM "t" WHERE "k"=?`],
    ["a literal value", `UPDATE "t" SET "a"=1 WHERE "k"=?`],
    ["an unquoted identifier", `UPDATE t SET "a"=? WHERE "k"=?`],
    ["a nested path", `UPDATE "t" SET "a"."b"=? WHERE "k"=?`],
    ["IS NOT MISSING", `UPDATE "t" SET "a"=? WHERE "k"=? AND "b" IS NOT MISSING`],
    ["OR", `UPDATE "t" SET "a"=? WHERE "k"=? OR "b"=?`],
    ["no SET or REMOVE", `UPDATE "t" WHERE "k"=?`],
    ["no WHERE", `UPDATE "t" SET "a"=?`],
    ["a comparison", `UPDATE "t" SET "a"=? WHERE "k"=? AND "b" < ?`],
    ["trailing tokens", `UPDATE "t" SET "a"=? WHERE "k"=? RETURNING`],
  ])("refuses %s", (_, statement) => {
    expect(() => parseUpdate(statement)).toThrow(PartiqlValidationError);
  });

  test("refuses a wrong parameter count and a WHERE without exactly one hash-key equality", () => {
    const parsed = parseUpdate(`UPDATE "t" SET "a"=? WHERE "k"=?`);
    expect(() => toUpdateItem(parsed, "k", [S("1")])).toThrow(PartiqlValidationError);
    expect(() => toUpdateItem(parsed, "other", [S("1"), S("2")])).toThrow(PartiqlValidationError);
    const twice = parseUpdate(`UPDATE "t" SET "a"=? WHERE "k"=? AND "k"=?`);
    expect(() => toUpdateItem(twice, "k", [S("1"), S("2"), S("3")])).toThrow(PartiqlValidationError);
    const missingKey = parseUpdate(`UPDATE "t" SET "a"=? WHERE "k" IS MISSING`);
    expect(() => toUpdateItem(missingKey, "k", [S("1")])).toThrow(PartiqlValidationError);
  });
});
