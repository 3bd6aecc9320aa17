/**
 * Figure (5), routing: the index built from the data set (as the bundle's build and a node without the
 * prebuilt file make it; in this process the loader's code is already warm), the index read from the
 * bundle's prebuilt file (as a bundled node's first routing question reads it), and lookups per second,
 * IPv4 text → country, over 100,000 addresses spread over the space.
 * bench.ts and scripts/routing.ts share it, so the quick check measures exactly what the bench does.
 */
import { existsSync } from 'node:fs';
import { loadIpIndex } from '@firstlight/node';
import { STEPS_FILE } from '@firstlight/node/bundle';
import type { Figure } from './bench.js';

export function routingFigures(quick: boolean): Figure[] {
  const t0 = performance.now();
  const fresh = loadIpIndex({ prebuilt: null });
  const loadMs = performance.now() - t0;
  const t2 = performance.now();
  const read = existsSync(STEPS_FILE) ? loadIpIndex({ prebuilt: STEPS_FILE }) : null;
  const readMs = performance.now() - t2;
  const ips = Array.from({ length: 100_000 }, (_, i) => `${(i * 7919) & 255}.${(i * 31) & 255}.${i & 255}.${(i * 13) & 255}`);
  let found = 0;
  const lookups = quick ? 1_000_000 : 10_000_000;
  const t1 = performance.now();
  for (let i = 0; i < lookups; i++) if (fresh.lookup(ips[i % ips.length] as string)) found++;
  const lookupRate = lookups / ((performance.now() - t1) / 1000);
  return [
    {
      name: 'routing lookups (IPv4 text → country)',
      value: lookupRate,
      unit: 'lookups/s',
      target: { op: '>=', value: 2_000_000, unit: 'lookups/s' },
      note: `${found} of ${lookups} found`,
    },
    {
      name: 'routing data set load',
      value: loadMs,
      unit: 'ms',
      target: { op: '<=', value: 500, unit: 'ms' },
      note: `${fresh.stats.v4Steps.toLocaleString('en-US')} IPv4 + ${fresh.stats.v6Steps.toLocaleString('en-US')} IPv6 steps, ${(fresh.stats.bytes / 1e6).toFixed(1)} MB, built from the data set's CSV files (the bundle's build does this once)`,
    },
    {
      name: "routing index read from the bundle's prebuilt file",
      value: read?.stats.source === 'prebuilt' ? readMs : Number.NaN,
      unit: 'ms',
      note: !read
        ? `no prebuilt file at ${STEPS_FILE}: build the bundle`
        : read.stats.source === 'prebuilt'
          ? `dist/routing/steps.bin, its digest checked: what a bundled node's first routing question reads (scripts/first-route.ts times that question)`
          : `not used: ${read.stats.unusable}`,
    },
  ];
}
