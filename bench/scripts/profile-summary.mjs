#!/usr/bin/env node
// Sums every .cpuprofile in a folder (one per process and thread, as --cpu-prof-dir writes them) into
// one table: self and inclusive time per function, the bundle's frames mapped to their sources through
// its source map, and the same by package/folder. Idle time is left out; percentages are of busy time.
// node scripts/profile-summary.mjs <dir> [rows=40] [filter: only stacks with a frame matching this]
import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2];
const rows = Number(process.argv[3] ?? 40);
const filter = process.argv[4] ? new RegExp(process.argv[4]) : null;
if (!dir) throw new Error('usage: profile-summary.mjs <dir> [rows] [stack filter]');

const consumers = new Map();
function consumer(url) {
  if (!consumers.has(url)) {
    let c = null;
    try {
      const path = fileURLToPath(url);
      c = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    } catch {}
    consumers.set(url, c);
  }
  return consumers.get(url);
}

/** A frame's name: its source file (mapped) and function. */
function frameName(frame) {
  const { functionName, url, lineNumber, columnNumber } = frame;
  if (!url) return functionName || '(anonymous)';
  const c = url.startsWith('file:') ? consumer(url) : null;
  if (c) {
    const pos = c.findEntry(lineNumber, columnNumber);
    if (pos.originalSource) {
      const source = pos.originalSource.replace(/^(\.\.\/)+/, '').replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
      return `${functionName || '(anonymous)'} ${source}:${pos.originalLine + 1}`;
    }
  }
  const short = url.replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/^file:\/\/.*\/apps\//, 'apps/');
  return `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
}

/** Where a frame's code lives: a package, a folder of ours, node internals or V8. */
function area(name) {
  const where = name.split(' ').slice(1).join(' ');
  if (!where) return name; // (garbage collector), (program), native
  let m = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(where);
  if (where.startsWith('node:')) return 'node:*';
  m = /^(?:node\/)?src\/([^/:]+)/.exec(where.replace(/^apps\//, ''));
  if (m) return `node/src/${m[1]}`;
  m = /^(?:packages\/)?protocol\/src/.exec(where);
  if (m) return 'protocol';
  m = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(where);
  return m ? m[1] : where;
}

// PROFILE_FROM=s: only samples from s seconds after the earliest profile's start (skips start-up; every
// profile's clock is the machine's monotonic one). PROFILE_WEIGHT=samples: count samples rather than
// their time deltas (a descheduled thread's next sample carries the whole wait as its delta).
const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
const profiles = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
const origin = Math.min(...profiles.map((p) => p.startTime));
const from = origin + Number(process.env.PROFILE_FROM ?? 0) * 1e6;
const bySamples = process.env.PROFILE_WEIGHT === 'samples';
// PROFILE_BLAME=regex: samples whose stack has a frame matching it, summed by the nearest two frames of
// our own code (apps/node/src, packages/protocol/src) above it: which of our calls pay for, say, SQLite.
const blame = process.env.PROFILE_BLAME ? new RegExp(process.env.PROFILE_BLAME) : null;
const blamed = new Map();
const ours = (name) => / (src|packages\/protocol\/src)\//.test(name);
const self = new Map();
const inclusive = new Map();
const areaSelf = new Map();
const areaIncl = new Map();
let busy = 0;
for (const profile of profiles) {
  const byId = new Map();
  const parent = new Map();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const names = new Map();
  const nameOf = (id) => {
    let n = names.get(id);
    if (n === undefined) {
      n = frameName(byId.get(id).callFrame);
      names.set(id, n);
    }
    return n;
  };
  const stackCache = new Map();
  const stackOf = (id) => {
    let s = stackCache.get(id);
    if (s) return s;
    s = [];
    for (let at = id; at !== undefined; at = parent.get(at)) s.push(nameOf(at));
    stackCache.set(id, s);
    return s;
  };
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from) return;
    const dt = bySamples ? 1 : (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const name = nameOf(id);
    if (name === '(idle)') return;
    const stack = stackOf(id);
    if (filter && !stack.some((s) => filter.test(s))) return;
    busy += dt;
    self.set(name, (self.get(name) ?? 0) + dt);
    areaSelf.set(area(name), (areaSelf.get(area(name)) ?? 0) + dt);
    for (const n of new Set(stack)) inclusive.set(n, (inclusive.get(n) ?? 0) + dt);
    if (blame) {
      const hit = stack.findIndex((n) => blame.test(n));
      if (hit >= 0) {
        const mine = stack.slice(hit).filter(ours).slice(0, 2).join(' < ') || '(none)';
        blamed.set(mine, (blamed.get(mine) ?? 0) + dt);
      }
    }
    for (const a of new Set(stack.map(area))) areaIncl.set(a, (areaIncl.get(a) ?? 0) + dt);
  });
}
const pct = (ms) => `${((100 * ms) / busy).toFixed(1).padStart(5)} %`;
const table = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [name, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${pct(ms)} ${(bySamples ? ms : ms / 1000).toFixed(bySamples ? 0 : 2).padStart(8)}${bySamples ? '' : ' s'}  ${name}`);
};
console.log(
  `busy ${bySamples ? `${busy} samples` : `${(busy / 1000).toFixed(1)} s`} over ${files.length} profiles${filter ? ` (stacks matching ${filter})` : ''}`,
);
if (blame) table(`${blame} by our nearest callers`, blamed, rows);
table('self by area', areaSelf, 25);
table('inclusive by area', areaIncl, 25);
table('self by function', self, rows);
table('inclusive by function', inclusive, rows);
