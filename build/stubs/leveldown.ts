// Build-time stand-in for `leveldown` (kinesalite's optional on-disk store, a native addon): the
// embedded Kinesis emulator is in-memory only, so asking for a path fails with a clear message.
export default function leveldown(location: string): never {
  throw new Error(
    `kcl-ts: the embedded Kinesis emulator keeps streams in memory only (asked to persist at ${location}).`,
  );
}
