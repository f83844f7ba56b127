// Parses the PartiQL UPDATE subset kcl-ts sends in BatchExecuteStatement (batched lease renewals) and
// translates it to the UpdateItem request dynalite understands; anything outside the subset is refused.
//
//   UPDATE "<table>" SET "<attr>"=? ... [REMOVE "<attr>" ...]
//     WHERE "<hashKey>"=? [AND "<attr>"=? | AND "<attr>" IS MISSING ...]
//
// Identifiers are double-quoted top-level attributes, every value is a `?` parameter (in order of
// appearance), keywords are case-insensitive. SET and REMOVE clauses may come in any order.

export type AttributeValue = Record<string, unknown>;

export interface ParsedUpdate {
  table: string;
  sets: { name: string; param: number }[];
  removes: string[];
  where: ({ name: string; param: number } | { name: string; missing: true })[];
  paramCount: number;
}

/** A statement outside the subset: answered with a per-statement ValidationError. */
export class PartiqlValidationError extends Error {
  override readonly name = "PartiqlValidationError";
}

const TOKEN = /\s*(?:"((?:[^"]|"")*)"|(\?)|(=)|([A-Za-z]+))/y;
type Token = { quoted: string } | { word: string } | { symbol: "?" | "=" };

function tokenize(statement: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < statement.trimEnd().length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(statement);
    if (!m) throw new PartiqlValidationError(`Unsupported PartiQL near: ${statement.slice(at, at + 20)}`);
    if (m[1] !== undefined) tokens.push({ quoted: m[1].replaceAll('""', '"') });
    else if (m[4] !== undefined) tokens.push({ word: m[4].toUpperCase() });
    else tokens.push({ symbol: (m[2] ?? m[3]) as "?" | "=" });
  }
  return tokens;
}

export function parseUpdate(statement: string): ParsedUpdate {
  const tokens = tokenize(statement);
  let i = 0;
  let paramCount = 0;
  const fail = (what: string): never => {
    throw new PartiqlValidationError(`Unsupported PartiQL (only the kcl-ts UPDATE subset): expected ${what}`);
  };
  const peekWord = (): string | undefined => {
    const t = tokens[i];
    return t && "word" in t ? t.word : undefined;
  };
  const word = (w: string): void => {
    if (peekWord() !== w) fail(w);
    i += 1;
  };
  const identifier = (): string => {
    const t = tokens[i++];
    return t && "quoted" in t ? t.quoted : fail("a double-quoted identifier");
  };
  const symbol = (s: "?" | "="): void => {
    const t = tokens[i++];
    if (!t || !("symbol" in t) || t.symbol !== s) fail(`'${s}'`);
  };
  const param = (): number => {
    symbol("?");
    return paramCount++;
  };

  word("UPDATE");
  const table = identifier();
  const sets: ParsedUpdate["sets"] = [];
  const removes: string[] = [];
  for (let clause = peekWord(); clause === "SET" || clause === "REMOVE"; clause = peekWord()) {
    i += 1;
    const name = identifier();
    if (clause === "REMOVE") removes.push(name);
    else {
      symbol("=");
      sets.push({ name, param: param() });
    }
  }
  if (sets.length + removes.length === 0) fail("SET or REMOVE");
  word("WHERE");
  const where: ParsedUpdate["where"] = [];
  for (;;) {
    const name = identifier();
    if (peekWord() === "IS") {
      i += 1;
      word("MISSING");
      where.push({ name, missing: true });
    } else {
      symbol("=");
      where.push({ name, param: param() });
    }
    if (peekWord() !== "AND") break;
    i += 1;
  }
  if (i < tokens.length) fail("the end of the statement");
  return { table, sets, removes, where, paramCount };
}

/** The UpdateItem request for a parsed statement on a hash-key-only table. */
export function toUpdateItem(
  parsed: ParsedUpdate,
  hashKey: string,
  parameters: AttributeValue[],
): Record<string, unknown> {
  if (parameters.length !== parsed.paramCount) {
    throw new PartiqlValidationError(
      `Number of parameters in request and statement don't match: ${parameters.length} != ${parsed.paramCount}`,
    );
  }
  const keyTerms = parsed.where.filter((w) => w.name === hashKey);
  const keyTerm = keyTerms[0];
  if (keyTerms.length !== 1 || !keyTerm || !("param" in keyTerm)) {
    throw new PartiqlValidationError(`WHERE must have exactly one equality on the hash key "${hashKey}"`);
  }
  const names: Record<string, string> = { "#k": hashKey };
  const values: Record<string, AttributeValue> = {};
  const set = parsed.sets.map((s, n) => {
    names[`#s${n}`] = s.name;
    values[`:s${n}`] = parameters[s.param]!;
    return `#s${n} = :s${n}`;
  });
  const remove = parsed.removes.map((name, n) => {
    names[`#r${n}`] = name;
    return `#r${n}`;
  });
  // A PartiQL UPDATE never creates an item: the key must exist.
  const conditions = ["attribute_exists(#k)"];
  parsed.where.forEach((w, n) => {
    if (w === keyTerm) return;
    names[`#c${n}`] = w.name;
    if ("missing" in w) conditions.push(`attribute_not_exists(#c${n})`);
    else {
      values[`:c${n}`] = parameters[w.param]!;
      conditions.push(`#c${n} = :c${n}`);
    }
  });
  const update = [
    set.length ? `SET ${set.join(", ")}` : "",
    remove.length ? `REMOVE ${remove.join(", ")}` : "",
  ];
  return {
    TableName: parsed.table,
    Key: { [hashKey]: parameters[keyTerm.param]! },
    UpdateExpression: update.filter(Boolean).join(" "),
    ConditionExpression: conditions.join(" AND "),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}
