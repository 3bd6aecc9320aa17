/**
 * IP → country from the CC0 data set in @ip-location-db/geo-whois-asn-country, as a compact sorted
 * range index: typed arrays and binary search, no objects per range. IPv4 is exact; IPv6 is indexed
 * by the upper 64 bits (allocations are never finer than a /64 in practice; a range that starts or
 * ends inside a /64 is widened to cover it). The files are read in chunks into one small buffer and
 * each array is allocated at its final size: an idle node keeps ~7 MB of index and never held a
 * whole file (a string or buffer of 8–13 MB lingers until a GC an idle node may not run for a long time).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ipaddr from 'ipaddr.js';

export interface IpIndex {
  lookup(ip: string): string | null;
  /** Countries present in the data set, with their IPv4 ranges (start, end inclusive) for sampling. */
  v4RangesOf(country: string): Array<[number, number]>;
  readonly stats: { v4Ranges: number; v6Ranges: number; loadMs: number };
}

function dataDirectory(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@ip-location-db/geo-whois-asn-country/package.json'));
}

interface Parsed {
  count: number;
  codes: Uint16Array;
}

const codeOf = (a: number, b: number) => ((a - 65) << 5) | (b - 65);
const codeText = (code: number) => String.fromCharCode((code >> 5) + 65, (code & 31) + 65);

const CHUNK = 1 << 20;

/** Lines of a file, read in chunks into one reused buffer: no string or buffer of the whole file (see loadIpIndex). */
function eachLine(file: string, onLine: (buf: Uint8Array, start: number, end: number) => void): void {
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let kept = 0;
    for (;;) {
      if (kept === buf.length) {
        // A line longer than the buffer (never in this data set): grow rather than cut it.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, kept);
        buf = bigger;
      }
      const read = readSync(fd, buf, kept, buf.length - kept, null);
      const end = kept + read;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0 && nl < end; nl = buf.indexOf(10, start)) {
        if (nl > start) onLine(buf, start, nl);
        start = nl + 1;
      }
      if (read === 0) {
        if (end > start) onLine(buf, start, end);
        return;
      }
      buf.copy(buf, 0, start, end);
      kept = end - start;
    }
  } finally {
    closeSync(fd);
  }
}

function countLines(file: string): number {
  let lines = 0;
  eachLine(file, () => {
    lines++;
  });
  return lines;
}

/** Reads a decimal number from bytes [i, e) up to a comma; answers the number and the comma's index. */
function decimal(buf: Uint8Array, i: number, e: number, out: Float64Array): number {
  let v = 0;
  while (i < e && buf[i] !== 44) v = v * 10 + ((buf[i++] as number) - 48);
  out[0] = v;
  return i;
}

/** `start,end,CC` lines of IPv4 numbers (they fit in a double exactly), each array sized to the file's lines. */
function parseV4(file: string): Parsed & { starts: Uint32Array; ends: Uint32Array } {
  const max = countLines(file);
  const starts = new Uint32Array(max);
  const ends = new Uint32Array(max);
  const codes = new Uint16Array(max);
  const num = new Float64Array(1);
  let n = 0;
  eachLine(file, (buf, s, e) => {
    if (n >= max) return;
    const c1 = decimal(buf, s, e, num);
    const a = num[0] as number;
    const c2 = decimal(buf, c1 + 1, e, num);
    if (c1 === s || c2 + 2 >= e) return;
    starts[n] = a;
    ends[n] = num[0] as number;
    codes[n] = codeOf(buf[c2 + 1] as number, buf[c2 + 2] as number);
    n++;
  });
  return { count: n, starts: starts.subarray(0, n), ends: ends.subarray(0, n), codes: codes.subarray(0, n) };
}

const hexDigit = (c: number) => (c <= 57 ? c - 48 : (c | 32) - 87);

/**
 * The upper 64 bits of the IPv6 address in bytes [s, e) of `buf` (hex groups, at most one `::`), into
 * `out` as [hi32, lo32]. Works on the bytes: no string or BigInt per line.
 */
export function upper64(buf: Uint8Array, s: number, e: number, groups: Uint16Array, out: Uint32Array): void {
  groups.fill(0);
  let n = 0;
  let gap = -1;
  let i = s;
  if (buf[i] === 58 && buf[i + 1] === 58) {
    gap = 0;
    i += 2;
  }
  while (i < e && n < 8) {
    let v = 0;
    let digits = 0;
    while (i < e && buf[i] !== 58) {
      v = (v << 4) | hexDigit(buf[i] as number);
      i++;
      digits++;
    }
    if (digits > 0) groups[n++] = v & 0xffff;
    if (i < e) {
      i++;
      if (i < e && buf[i] === 58) {
        gap = n;
        i++;
      }
    }
  }
  if (gap >= 0) {
    const tail = n - gap;
    for (let k = tail - 1; k >= 0; k--) groups[8 - tail + k] = groups[gap + k] as number;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  out[0] = (((groups[0] as number) << 16) | (groups[1] as number)) >>> 0;
  out[1] = (((groups[2] as number) << 16) | (groups[3] as number)) >>> 0;
}

/** `start,end,CC` lines of textual IPv6 ranges, keeping the upper 64 bits of each end. */
function parseV6(file: string): Parsed & { startHi: Uint32Array; startLo: Uint32Array; endHi: Uint32Array; endLo: Uint32Array } {
  const max = countLines(file);
  const startHi = new Uint32Array(max);
  const startLo = new Uint32Array(max);
  const endHi = new Uint32Array(max);
  const endLo = new Uint32Array(max);
  const codes = new Uint16Array(max);
  const groups = new Uint16Array(8);
  const out = new Uint32Array(2);
  let n = 0;
  eachLine(file, (buf, i, eol) => {
    if (n >= max) return;
    let c1 = i;
    while (c1 < eol && buf[c1] !== 44) c1++;
    let c2 = c1 + 1;
    while (c2 < eol && buf[c2] !== 44) c2++;
    if (!(c1 > i && c2 < eol && eol - c2 >= 3)) return;
    upper64(buf, i, c1, groups, out);
    startHi[n] = out[0] as number;
    startLo[n] = out[1] as number;
    upper64(buf, c1 + 1, c2, groups, out);
    endHi[n] = out[0] as number;
    endLo[n] = out[1] as number;
    codes[n] = codeOf(buf[c2 + 1] as number, buf[c2 + 2] as number);
    n++;
  });
  return {
    count: n,
    startHi: startHi.subarray(0, n),
    startLo: startLo.subarray(0, n),
    endHi: endHi.subarray(0, n),
    endLo: endLo.subarray(0, n),
    codes: codes.subarray(0, n),
  };
}

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

export function loadIpIndex(options: { dataDir?: string } = {}): IpIndex {
  const started = performance.now();
  const dir = options.dataDir ?? dataDirectory();
  const v4 = parseV4(join(dir, 'geo-whois-asn-country-ipv4-num.csv'));
  const v6 = parseV6(join(dir, 'geo-whois-asn-country-ipv6.csv'));
  const loadMs = performance.now() - started;

  const lookupV4 = (x: number): string | null => {
    let lo = 0;
    let hi = v4.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((v4.starts[mid] as number) <= x) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0 || (v4.ends[hi] as number) < x) return null;
    return codeText(v4.codes[hi] as number);
  };

  const lookupV6 = (h: number, l: number): string | null => {
    let lo = 0;
    let hi = v6.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const sh = v6.startHi[mid] as number;
      if (sh < h || (sh === h && (v6.startLo[mid] as number) <= l)) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0) return null;
    const eh = v6.endHi[hi] as number;
    if (eh < h || (eh === h && (v6.endLo[hi] as number) < l)) return null;
    return codeText(v6.codes[hi] as number);
  };

  return {
    stats: { v4Ranges: v4.count, v6Ranges: v6.count, loadMs },
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
      const code = codeOf(country.charCodeAt(0), country.charCodeAt(1));
      const out: Array<[number, number]> = [];
      for (let i = 0; i < v4.count; i++) if (v4.codes[i] === code) out.push([v4.starts[i] as number, v4.ends[i] as number]);
      return out;
    },
  };
}
