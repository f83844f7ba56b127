// Bun.build plugin that makes kinesalite and dynalite embeddable in the compiled binary: static
// tables for their computed requires, fixes for code that breaks once bundled as strict-mode ESM,
// and in-memory stand-ins for their native on-disk stores (which the binary would otherwise look for
// in the build machine's node_modules).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BunPlugin } from "bun";

const STUBS = join(import.meta.dir, "..", "stubs");

/** A source rewrite of one dependency file; the build fails if its pattern no longer matches. */
interface SourcePatch {
  file: RegExp;
  why: string;
  apply(source: string, path: string): string | undefined;
}

/** `require('./<dir>/' + name)` → a lookup in a table of static requires of every module there. */
function staticRequireTable(source: string, path: string, dir: "actions" | "validations") {
  const computed = new RegExp(`require\\(\\s*'\\./${dir}/'\\s*\\+\\s*(\\w+)\\s*\\)`);
  const match = computed.exec(source);
  if (!match) return undefined;
  const entries = readdirSync(join(dirname(path), dir))
    .filter((f) => f.endsWith(".js"))
    .map((f) => `${JSON.stringify(f.slice(0, -3))}: () => require(${JSON.stringify(`./${dir}/${f}`)})`);
  return source.replace(computed, `({${entries.join(", ")}})[${match[1]}]()`);
}

const PATCHES: SourcePatch[] = [
  {
    file: /[\\/]node_modules[\\/](kinesalite|dynalite)[\\/]index\.js$/,
    why: "the bundler cannot follow require('./actions/' + name): list every action statically",
    apply(source, path) {
      const withActions = staticRequireTable(source, path, "actions");
      return withActions && staticRequireTable(withActions, path, "validations");
    },
  },
  {
    file: /[\\/]node_modules[\\/](kinesalite|dynalite)[\\/]index\.js$/,
    // Node silences DEP0169 for code under node_modules; bundled, every `--local` run printed it.
    why: "url.parse() prints a deprecation warning once the emulators are bundled",
    apply(source) {
      const legacy = "url.parse(req.url, true).query";
      const whatwg = 'Object.fromEntries(new URL(req.url, "http://localhost").searchParams)';
      return source.includes(legacy) ? source.replaceAll(legacy, whatwg) : undefined;
    },
  },
  {
    file: /[\\/]node_modules[\\/]kinesalite[\\/]db[\\/]index\.js$/,
    // A missing comma makes `buffer` an implicit global: a ReferenceError in strict-mode ESM, and
    // every GetShardIterator fails.
    why: "kinesalite's createShardIterator assigns the undeclared variable `buffer`",
    apply(source) {
      const missingComma = /(exports\.ITERATOR_PWD_IV\))(\s*\n\s*buffer = Buffer\.concat)/;
      return missingComma.test(source) ? source.replace(missingComma, "$1,$2") : undefined;
    },
  },
  {
    file: /[\\/]node_modules[\\/]subleveldown[\\/]leveldown\.js$/,
    // In sloppy mode reassigning `key` also changes `arguments[1]`; in strict mode it does not, so
    // iterators would return keys with their sub-level prefix ("!meta!stream" instead of "stream").
    why: "subleveldown's SubIterator relies on sloppy-mode arguments aliasing",
    apply(source) {
      const strip = "if (key) key = key.slice(self.prefix.length)";
      return source.includes(strip)
        ? source.replace(strip, "if (key) arguments[1] = key = key.slice(self.prefix.length)")
        : undefined;
    },
  },
];

export function embeddedEmulatorsPlugin(): BunPlugin {
  // Bun runs only the first matching onLoad per file: one handler applies every patch for a path.
  const anyPatched = new RegExp(PATCHES.map((p) => p.file.source).join("|"));
  return {
    name: "kcl-ts-embedded-emulators",
    setup(build) {
      build.onLoad({ filter: anyPatched }, (args) => {
        let source = readFileSync(args.path, "utf8");
        for (const patch of PATCHES.filter((p) => p.file.test(args.path))) {
          const patched = patch.apply(source, args.path);
          if (patched === undefined) {
            throw new Error(`build: cannot patch ${args.path} (${patch.why}): the dependency changed`);
          }
          source = patched;
        }
        return { contents: source, loader: "js" };
      });
      build.onResolve({ filter: /^level$/ }, () => ({ path: join(STUBS, "level.ts") }));
      build.onResolve({ filter: /^leveldown$/ }, () => ({ path: join(STUBS, "leveldown.ts") }));
    },
  };
}
