// Benchmark record bodies: 100 bytes, starting with the record id as 10 ASCII digits, which is
// what plugins/bench-recorder.ts parses back. Partition keys spread ids evenly over shards.
export const RECORD_BYTES = 100;
const FILLER = "-kcl-ts-bench-".repeat(8);
const encoder = new TextEncoder();

export function recordData(id: number): Uint8Array {
  const text = `${String(id).padStart(10, "0")}${FILLER}`.slice(0, RECORD_BYTES);
  return encoder.encode(text);
}

export function partitionKey(id: number): string {
  return `pk-${id}`;
}
