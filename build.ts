// `npm run build`: compile the kcl-ts CLI into one self-contained executable (default dist/kcl-ts).
// Usage: bun build.ts [--outfile <path>] [--target bun-linux-arm64|bun-darwin-arm64|...]
import { parseArgs } from "node:util";
import { buildBinary } from "./build/binary.ts";

const { values } = parseArgs({
  options: { outfile: { type: "string" }, target: { type: "string" } },
  strict: true,
});

try {
  const built = await buildBinary({ outfile: values.outfile, target: values.target });
  const mb = (built.bytes / 1024 / 1024).toFixed(1);
  console.log(`built ${built.outfile} (${mb} MB) in ${(built.buildMs / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
