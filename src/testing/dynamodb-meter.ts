// DynamoDB billing arithmetic for simulations: item sizes by DynamoDB's rules and capacity units per
// call (read units per 4 KB, eventually consistent at half price; write units per 1 KB; Scan billed on
// the bytes it reads, page by page), accumulated per operation.
import type { Item } from "../leases/dynamodb-codec.ts";

type Value = Item[string];

export const READ_UNIT_BYTES = 4096;
export const WRITE_UNIT_BYTES = 1024;
/** A Scan or Query page stops after reading 1 MB (each page is one request). */
export const PAGE_BYTES = 1024 * 1024;

const utf8 = new TextEncoder();
function bytes(s: string): number {
  // ASCII fast path: lease keys, owners and sequence numbers are ASCII.
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return utf8.encode(s).length;
  return s.length;
}

/** Numbers: about one byte per two significant digits, plus one (leading and trailing zeros trimmed). */
export function numberSize(n: string): number {
  const digits = n.replace(/^[-+]/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

export function attributeValueSize(v: Value): number {
  if (v.S !== undefined) return bytes(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.SS) return v.SS.reduce((sum, s) => sum + bytes(s), 0);
  if (v.NS) return v.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (v.BS) return v.BS.reduce((sum, b) => sum + b.length, 0);
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  // Lists and maps: 3 bytes, plus 1 byte per element (and the key's bytes in a map).
  if (v.L) return v.L.reduce((sum, e) => sum + 1 + attributeValueSize(e), 3);
  if (v.M) return Object.entries(v.M).reduce((sum, [k, e]) => sum + 1 + bytes(k) + attributeValueSize(e), 3);
  return 0;
}

/** An item's billed size: every attribute's name plus its value. */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += bytes(name) + attributeValueSize(value);
  return size;
}

/** Read units of one GetItem / one Scan or Query page: at least one 4 KB unit, half price if eventual. */
export function readUnits(bytesRead: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytesRead / READ_UNIT_BYTES));
  return consistent ? units : units / 2;
}

/** Write units of one write: at least one, one per started KB of the larger of the item before and after. */
export function writeUnits(itemBytes: number): number {
  return Math.max(1, Math.ceil(itemBytes / WRITE_UNIT_BYTES));
}

export interface OperationCost {
  calls: number;
  readUnits: number;
  writeUnits: number;
}

const zero = (): OperationCost => ({ calls: 0, readUnits: 0, writeUnits: 0 });

/** Accumulates what a DynamoDB table would bill, by operation name (GetItem, Scan, UpdateItem:renew, …). */
export class DynamoDbMeter {
  readonly byOperation: Record<string, OperationCost> = {};

  /** One GetItem / one Query page. */
  read(operation: string, bytesRead: number, consistent: boolean): void {
    const c = this.op(operation);
    c.calls += 1;
    c.readUnits += readUnits(bytesRead, consistent);
  }

  /** A paginated Scan over items of these sizes: one request per 1 MB page, each page rounded up to 4 KB. */
  scan(operation: string, itemSizes: Iterable<number>, consistent: boolean): void {
    let page = 0;
    let pages = 0;
    let units = 0;
    for (const size of itemSizes) {
      if (page > 0 && page + size > PAGE_BYTES) {
        units += readUnits(page, consistent);
        pages += 1;
        page = 0;
      }
      page += size;
    }
    units += readUnits(page, consistent);
    const c = this.op(operation);
    c.calls += pages + 1;
    c.readUnits += units;
  }

  /** One write (applied or failing its condition: DynamoDB bills both). */
  write(operation: string, itemBytes: number): void {
    const c = this.op(operation);
    c.calls += 1;
    c.writeUnits += writeUnits(itemBytes);
  }

  /** A call that is not billed in capacity units (DescribeTable, CreateTable). */
  control(operation: string): void {
    this.op(operation).calls += 1;
  }

  total(): OperationCost {
    const t = zero();
    for (const c of Object.values(this.byOperation)) {
      t.calls += c.calls;
      t.readUnits += c.readUnits;
      t.writeUnits += c.writeUnits;
    }
    return t;
  }

  /** A copy of the counters now (subtract two to meter a window). */
  snapshot(): Record<string, OperationCost> {
    return Object.fromEntries(Object.entries(this.byOperation).map(([k, c]) => [k, { ...c }]));
  }

  private op(operation: string): OperationCost {
    this.byOperation[operation] ??= zero();
    return this.byOperation[operation];
  }
}
