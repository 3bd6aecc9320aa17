// The node's bundle in dist/: whether it is fresh, and building it (esbuild). Used by bin/firstlight.mjs,
// `pnpm --filter @firstlight/node build`, the simulation and the benchmark.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
/** The routing index the bundle carries prebuilt (a bundled node reads it on its first routing question). */
export const STEPS_FILE = `${root}dist/routing/steps.bin`;
const outputs = ['dist/cli/main.js', 'dist/inbox/verify-worker.js', 'dist/routing/prebuild.js', 'dist/routing/steps.bin'];
const sources = ['src', '../../packages/protocol/src'];

function newest(dir) {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    max = Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return max;
}

/**
 * Whether a prebuilt routing index was built from the data set installed now: its header line names
 * the data set's version and both files' sizes (src/routing/steps-file.ts). A `pnpm update` of the
 * data set changes neither the sources nor the bundle's times, so mtimes alone would keep a stale index
 * that every node then refuses (building from the CSV files on its first routing question instead).
 */
export function stepsFileMatchesDataSet(stepsFile = STEPS_FILE, dataDir = undefined) {
  try {
    const dir = dataDir ?? dirname(createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country/package.json'));
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const fd = openSync(stepsFile, 'r');
    let head;
    try {
      const buffer = Buffer.alloc(16 * 1024);
      head = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
    } finally {
      closeSync(fd);
    }
    const end = head.indexOf(10);
    if (end < 0) return false;
    const { dataSet } = JSON.parse(head.subarray(0, end).toString('utf8'));
    return (
      dataSet?.version === String(version) &&
      dataSet.v4Bytes === statSync(join(dir, 'geo-whois-asn-country-ipv4-num.csv')).size &&
      dataSet.v6Bytes === statSync(join(dir, 'geo-whois-asn-country-ipv6.csv')).size
    );
  } catch {
    return false;
  }
}

/** True when dist/ exists, is newer than every source file it is built from, and its routing index is of the installed data set. */
export function bundleIsFresh() {
  try {
    const built = Math.min(...outputs.map((o) => statSync(root + o).mtimeMs));
    return sources.every((dir) => newest(root + dir) <= built) && stepsFileMatchesDataSet();
  } catch {
    return false;
  }
}

/**
 * zod's `z` namespace (and `z.core`) re-exports every locale it ships: 305 KB of the 1.44 MB bundle,
 * source V8 holds for as long as the node runs (see minifyWhitespace below). The node speaks English
 * only, which zod imports on its own (classic/schemas.js); in the bundle `z.locales` is empty.
 */
const withoutZodLocales = {
  name: 'without-zod-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'without-zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'without-zod-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

/**
 * Bundles the CLI, its verification worker and the routing index's prebuild, with @firstlight/protocol, into plain JavaScript: no
 * TypeScript loader thread at run time, about half the memory. Native and data packages stay external.
 * Each file is written under a temporary name and renamed, so a node starting meanwhile never reads half a file.
 */
export async function buildBundle() {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts', 'src/inbox/verify-worker.ts', 'src/routing/prebuild.ts'],
    outbase: 'src',
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: true,
    // V8 keeps a script's whole source in memory for as long as the process runs (lazy compilation
    // reads it again). Kept comments brought non-ASCII characters (’, §, →) into the bundle, which made
    // V8 hold all of it as UTF-16: 6.3 MB for a 3.2 MB file. Without whitespace and comments, and with
    // every non-ASCII character escaped, it is one byte per character, about half the size again.
    // Names are not minified (stack traces stay readable; the source map maps them to the sources).
    minifyWhitespace: true,
    charset: 'ascii',
    // Licence notices go to dist/**/*.LEGAL.txt (one of them carries a non-ASCII name).
    legalComments: 'external',
    write: false,
    external: ['better-sqlite3', 'pg', 'pg-native', 'pino', '@ip-location-db/*'],
    define: { __FIRSTLIGHT_BUNDLE__: 'true' },
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import { createRequire as __flCreateRequire } from 'node:module'; const require = __flCreateRequire(import.meta.url);" },
    plugins: [withoutZodLocales],
    logLevel: 'warning',
  });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
  // The routing index, prebuilt from the installed data set: a bundled node reads it on its first
  // routing question (a few ms) instead of parsing the data set's CSV files then (0.1–0.4 s).
  const { prebuildSteps } = await import(`${root}dist/routing/prebuild.js?at=${Date.now()}`);
  prebuildSteps(STEPS_FILE);
}

/** Builds unless fresh; a failed build leaves the sources to run through tsx. */
export async function ensureBundle() {
  if (bundleIsFresh()) return true;
  try {
    await buildBundle();
    return true;
  } catch {
    return false;
  }
}
