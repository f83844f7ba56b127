// Build-time stand-in for `level` (dynalite's on-disk store): its native classic-level addon would be
// looked up at the build machine's absolute path, so the binary keeps every table in memory instead.
import { MemoryLevel } from "memory-level";

/** dynalite only constructs `Level` when given a `path`; the embedded emulator never passes one. */
export class Level<K = string, V = string> extends MemoryLevel<K, V> {
  constructor(_location: string, options?: ConstructorParameters<typeof MemoryLevel<K, V>>[0]) {
    super(options);
  }
}
