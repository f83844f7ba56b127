// Benchmark record bodies: 100 bytes, the record id as 10 ASCII digits (what plugins/bench-recorder.ts
// parses back) followed by a small JSON document (what the real-work plugin parses, bench/work.ts).
// Partition keys spread ids evenly over shards.
export const RECORD_BYTES = 100;
export const ID_DIGITS = 10;
const encoder = new TextEncoder();

/** `0000000042{"user":"user-042","amount":…,"kind":"order","pad":"…"}`, padded to RECORD_BYTES. */
export function recordData(id: number): Uint8Array {
  const head = `${String(id).padStart(ID_DIGITS, "0")}{"user":"user-${String(id % 1000).padStart(3, "0")}","amount":${(id * 7919) % 100_000},"kind":"order","pad":"`;
  const tail = '"}';
  const text = head + "x".repeat(Math.max(0, RECORD_BYTES - head.length - tail.length)) + tail;
  return encoder.encode(text);
}

export function partitionKey(id: number): string {
  return `pk-${id}`;
}
