/**
 * IP → country from the CC0 data set in @ip-location-db/geo-whois-asn-country (read by data-set.ts),
 * as a step function (steps.ts): sorted starts and a 1-byte country per step, binary search, no object
 * per range. IPv4 is exact. IPv6 is indexed by the upper 64 bits: a range that starts or ends inside a
 * /64 is widened to cover it (7,728 of the 216,295 rows start inside one, sub-/64 assignments of a few
 * addresses), and where rows share a /64 the last in file order answers for it, as before the steps.
 * 341,574 IPv4 and 267,589 IPv6 steps: 4.1 MB, where start, end and country per range took 7.1 MB. A
 * node loads it on its first routing question (node.ts), not at start: an idle node holds none of it.
 * The bundle carries it prebuilt (steps-file.ts, dist/routing/steps.bin, read in a few ms); from the
 * sources, or when that file does not match the installed data set, it is built from the CSV files.
 */

import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { dataSetFiles, eachV4Row, eachV6Row } from './data-set.js';
import { Countries, StepBuilder, type Steps } from './steps.js';
import { dataSetStamp, readStepsFile } from './steps-file.js';

export interface IpIndex {
  lookup(ip: string): string | null;
  /** A country's IPv4 ranges (start, end inclusive) where the index answers it, for sampling. */
  v4RangesOf(country: string): Array<[number, number]>;
  readonly stats: {
    v4Steps: number;
    v6Steps: number;
    countries: number;
    bytes: number;
    loadMs: number;
    /** Where the steps came from; `unusable`: why a prebuilt file given was not used. */
    source: 'prebuilt' | 'data set';
    unusable?: string;
  };
}

declare const __FIRSTLIGHT_BUNDLE__: boolean | undefined;

/** The bundle's prebuilt index (dist/routing/steps.bin, beside dist/cli/main.js); none from the sources. */
export const BUNDLED_STEPS: string | null =
  typeof __FIRSTLIGHT_BUNDLE__ !== 'undefined' && __FIRSTLIGHT_BUNDLE__
    ? fileURLToPath(new URL('../routing/steps.bin', import.meta.url))
    : null;

/** Dotted-quad to uint32 without allocating; -1 when not a plain IPv4 address. */
export function parseIpv4(ip: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
      if (digits > 3) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return value * 256 + part;
}

// The builders' first size, from the file's size rather than a pass to count its lines (the arrays
// grow if it is short; finish() copies them to size): IPv4 lines are ~25 bytes, IPv6 ones ~58, and
// steps are a line each plus the gaps (2 % more in the IPv4 file, 24 % in the IPv6 one).
const expected = (file: string, bytesPerStep: number) => Math.ceil(statSync(file).size / bytesPerStep);

/**
 * Both files' steps. Built here, apart from loadIpIndex: the lookups' closures would keep alive every
 * variable of the scope a closure uses, and the builders' arrays are sized for growth (steps.ts).
 */
export function buildSteps(dataDir?: string): { v4: Steps; v6: Steps; names: Array<string | null> } {
  const countries = new Countries();
  const files = dataSetFiles(dataDir);
  const v4 = new StepBuilder(countries, false, expected(files.v4, 23));
  eachV4Row(files.v4, v4);
  const v6 = new StepBuilder(countries, true, expected(files.v6, 45));
  eachV6Row(files.v6, v6);
  return { v4: v4.finish(), v6: v6.finish(), names: countries.names };
}

/** The prebuilt file's steps when it matches the installed data set, else the data set's, built. */
function stepsOf(options: { dataDir?: string; prebuilt?: string | null }) {
  if (!options.prebuilt) return { ...buildSteps(options.dataDir), source: 'data set' as const };
  let read: ReturnType<typeof readStepsFile>;
  try {
    read = readStepsFile(options.prebuilt, dataSetStamp(options.dataDir));
  } catch (error) {
    read = { unusable: `the installed data set could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  if ('unusable' in read) return { ...buildSteps(options.dataDir), source: 'data set' as const, unusable: read.unusable };
  return { ...read, source: 'prebuilt' as const };
}

/** `prebuilt`: a steps file to read first (default: the bundle's own, when running from the bundle). */
export function loadIpIndex(options: { dataDir?: string; prebuilt?: string | null } = {}): IpIndex {
  const started = performance.now();
  const steps = stepsOf({ ...options, prebuilt: options.prebuilt === undefined ? BUNDLED_STEPS : options.prebuilt });
  const { v4, v6, names, source } = steps;
  const unusable = 'unusable' in steps ? steps.unusable : undefined;
  const loadMs = performance.now() - started;
  const indexOf = new Map(names.map((name, i) => [name, i]));
  const bytes = (s: Steps) => s.lo.byteLength + (s.hi?.byteLength ?? 0) + s.country.byteLength;

  // The last step whose first key is at or below x; step 0 starts at key 0, so there always is one.
  const lookupV4 = (x: number): string | null => {
    let lo = 0;
    let hi = v4.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((v4.lo[mid] as number) <= x) lo = mid + 1;
      else hi = mid - 1;
    }
    return names[v4.country[hi] as number] ?? null;
  };

  const v6Hi = v6.hi as Uint32Array;
  const lookupV6 = (h: number, l: number): string | null => {
    let lo = 0;
    let hi = v6.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const sh = v6Hi[mid] as number;
      if (sh < h || (sh === h && (v6.lo[mid] as number) <= l)) lo = mid + 1;
      else hi = mid - 1;
    }
    return names[v6.country[hi] as number] ?? null;
  };

  return {
    stats: {
      v4Steps: v4.count,
      v6Steps: v6.count,
      countries: names.length - 1,
      bytes: bytes(v4) + bytes(v6),
      loadMs,
      source,
      ...(unusable ? { unusable } : {}),
    },
    lookup(ip) {
      const x = parseIpv4(ip);
      if (x >= 0) return lookupV4(x);
      if (!ipaddr.IPv6.isValid(ip)) return null;
      const addr = ipaddr.IPv6.parse(ip);
      if (addr.isIPv4MappedAddress()) return lookupV4(parseIpv4(addr.toIPv4Address().toString()));
      const p = addr.parts;
      return lookupV6((((p[0] ?? 0) << 16) | (p[1] ?? 0)) >>> 0, (((p[2] ?? 0) << 16) | (p[3] ?? 0)) >>> 0);
    },
    v4RangesOf(country) {
      const wanted = indexOf.get(country) ?? 0;
      const out: Array<[number, number]> = [];
      if (wanted === 0) return out;
      for (let i = 0; i < v4.count; i++)
        if (v4.country[i] === wanted) out.push([v4.lo[i] as number, i + 1 < v4.count ? (v4.lo[i + 1] as number) - 1 : 0xffffffff]);
      return out;
    },
  };
}
