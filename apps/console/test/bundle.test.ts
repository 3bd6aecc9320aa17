/**
 * The budget: the console's initial load (entry script, its static imports and preloads, and
 * stylesheets) is within 300 KB gzip. Builds the current source into a scratch directory, so it
 * measures what would ship now, never a stale dist/.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BUDGET = 300 * 1024;
const root = resolve(import.meta.dirname, '..');
let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'firstlight-console-'));
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', out, '--emptyOutDir'], {
    cwd: root,
    stdio: 'ignore',
  });
});

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Asset paths the page loads before any user action: what index.html names, and what those scripts import statically. */
function initialAssets(dir: string): string[] {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const named = [...html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1] as string);
  const seen = new Set<string>();
  const queue = [...named];
  while (queue.length > 0) {
    const asset = queue.shift() as string;
    if (seen.has(asset)) continue;
    seen.add(asset);
    if (!asset.endsWith('.js')) continue;
    const code = readFileSync(join(dir, asset), 'utf8');
    // Static imports only: `import(...)` is a lazy chunk, loaded when its page is opened.
    for (const m of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[^"'();]*?\bfrom\s*)?["']\.\/([^"']+)["']/g))
      queue.push(join(asset.slice(0, asset.lastIndexOf('/') + 1), m[1] as string));
  }
  return [...seen];
}

describe('the initial load', () => {
  it('is within 300 KB gzip, with the world map left to a lazy chunk', () => {
    const initial = initialAssets(out);
    expect(initial.some((a) => a.endsWith('.js'))).toBe(true);
    expect(initial.some((a) => a.endsWith('.css'))).toBe(true);
    const gzipped = initial.map((a) => ({ asset: a, bytes: gzipSync(readFileSync(join(out, a)), { level: 9 }).length }));
    const total = gzipped.reduce((sum, g) => sum + g.bytes, 0);
    expect(total, JSON.stringify(gzipped)).toBeLessThanOrEqual(BUDGET);
    // The map (d3-geo, world-atlas) is the heaviest code; it must stay out of the initial load.
    const all = readdirSync(join(out, 'assets')).map((a) => `assets/${a}`);
    const lazy = all.filter((a) => a.endsWith('.js') && !initial.includes(a));
    expect(lazy.some((a) => /WorldMap/.test(a))).toBe(true);
  });
});
