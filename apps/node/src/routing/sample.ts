/** Draws IPv4 addresses from a country's real ranges (weighted by size): the simulation's suspect IPs. */
import { checkIp } from '@firstlight/protocol';
import type { IpIndex } from './ip-index.js';

export function sampleIpsFor(index: IpIndex, country: string, count: number, random: () => number): string[] {
  const ranges = index.v4RangesOf(country);
  if (ranges.length === 0) return [];
  const cumulative: number[] = [];
  let total = 0;
  for (const [s, e] of ranges) {
    total += e - s + 1;
    cumulative.push(total);
  }
  const out: string[] = [];
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const target = Math.floor(random() * total);
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    const [s] = ranges[lo] as [number, number];
    const before = lo === 0 ? 0 : (cumulative[lo - 1] as number);
    const x = s + (target - before);
    const ip = `${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
    const checked = checkIp(ip);
    if (checked.ok && index.lookup(ip) === country) out.push(ip);
  }
  return out;
}
