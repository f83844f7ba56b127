// The demo's record processor, written to a temp file at run time so the demo works from source and
// from the compiled binary alike (which has no plugins/ folder beside it). It does nothing per record:
// the demo shows records/s from the workers' summaries.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SOURCE = `// kcl-ts demo processor: accept every batch; the engine checkpoints (--checkpoint auto).
export default {
  async processRecords() {},
};
`;

export interface TempPlugin {
  file: string;
  remove(): void;
}

export function writeDemoPlugin(): TempPlugin {
  const dir = mkdtempSync(join(tmpdir(), "kcl-demo-"));
  const file = join(dir, "demo-processor.mjs");
  writeFileSync(file, SOURCE);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
