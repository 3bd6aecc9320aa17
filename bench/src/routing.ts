/**
 * Figure (5), routing: the data set's load time (a fresh index, as a node's first routing question
 * builds it; in this process the loader's code is already warm) and lookups per second, IPv4 text → country, over 100,000 addresses spread over the space.
 * bench.ts and scripts/routing.ts share it, so the quick check measures exactly what the bench does.
 */
import { loadIpIndex } from '@firstlight/node';
import type { Figure } from './bench.js';

export function routingFigures(quick: boolean): Figure[] {
  const t0 = performance.now();
  const fresh = loadIpIndex();
  const loadMs = performance.now() - t0;
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
      note: `${fresh.stats.v4Steps.toLocaleString('en-US')} IPv4 + ${fresh.stats.v6Steps.toLocaleString('en-US')} IPv6 steps, ${(fresh.stats.bytes / 1e6).toFixed(1)} MB; a node builds it on its first routing question (scripts/first-route.ts times that question)`,
    },
  ];
}
