/**
 * Reading the CC0 data set in @ip-location-db/geo-whois-asn-country: `start,end,CC` rows, sorted by
 * start, handed one at a time to a callback as numbers. The files are read in 1 MB chunks into one
 * reused buffer: no string or buffer of a whole file (8–13 MB that would linger until a GC an idle node
 * may not run for a long time), no string, BigInt or object per row.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { NodeError } from '../errors.js';

/** The data set's two CSV files, and its package.json (whose version names the data set). */
export function dataSetFiles(dataDir?: string): { v4: string; v6: string; manifest: string } {
  const dir = dataDir ?? dirname(createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country/package.json'));
  return {
    v4: join(dir, 'geo-whois-asn-country-ipv4-num.csv'),
    v6: join(dir, 'geo-whois-asn-country-ipv6.csv'),
    manifest: join(dir, 'package.json'),
  };
}

/**
 * Throws unless the data set's files are there: a node that routes looks for them as it starts, so a
 * broken install fails in the terminal, not at an officer's first referral (the index is built then).
 */
export function requireDataSet(): void {
  let files: ReturnType<typeof dataSetFiles>;
  try {
    files = dataSetFiles();
  } catch {
    throw new NodeError('ERR_CONFIG', 'the routing data set @ip-location-db/geo-whois-asn-country is not installed: run pnpm install');
  }
  for (const file of [files.v4, files.v6])
    if (!existsSync(file)) throw new NodeError('ERR_CONFIG', `the routing data set's file ${file} is missing: run pnpm install`);
}

/** A country code's two letters as one small number (A–Z in 5 bits each), and back. */
export const codeOf = (a: number, b: number) => ((a - 65) << 5) | (b - 65);
export const codeText = (code: number) => String.fromCharCode((code >> 5) + 65, (code & 31) + 65);

const CHUNK = 1 << 20;

/** Lines of a file, read in chunks into one reused buffer. */
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

/** Reads a decimal number from bytes [i, e) up to a comma; answers the number and the comma's index. */
function decimal(buf: Uint8Array, i: number, e: number, out: Float64Array): number {
  let v = 0;
  while (i < e && buf[i] !== 44) v = v * 10 + ((buf[i++] as number) - 48);
  out[0] = v;
  return i;
}

/** `start,end,CC` rows of IPv4 numbers (they fit in a double exactly). */
/** Where rows go: keys as (hi, lo) pairs of uint32 (IPv4: hi 0), the country as codeOf's number. */
export interface RowSink {
  add(startHi: number, startLo: number, endHi: number, endLo: number, code: number): void;
}

export function eachV4Row(file: string, sink: RowSink): void {
  const num = new Float64Array(1);
  eachLine(file, (buf, s, e) => {
    const c1 = decimal(buf, s, e, num);
    const start = num[0] as number;
    const c2 = decimal(buf, c1 + 1, e, num);
    if (c1 === s || c2 + 2 >= e) return;
    sink.add(0, start, 0, num[0] as number, codeOf(buf[c2 + 1] as number, buf[c2 + 2] as number));
  });
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

/**
 * `start,end,CC` rows of textual IPv6 ranges, each end cut to its upper 64 bits (a range that starts
 * or ends inside a /64 is widened to cover it).
 */
export function eachV6Row(file: string, sink: RowSink): void {
  const groups = new Uint16Array(8);
  const start = new Uint32Array(2);
  const end = new Uint32Array(2);
  eachLine(file, (buf, i, eol) => {
    let c1 = i;
    while (c1 < eol && buf[c1] !== 44) c1++;
    let c2 = c1 + 1;
    while (c2 < eol && buf[c2] !== 44) c2++;
    if (!(c1 > i && c2 < eol && eol - c2 >= 3)) return;
    upper64(buf, i, c1, groups, start);
    upper64(buf, c1 + 1, c2, groups, end);
    const code = codeOf(buf[c2 + 1] as number, buf[c2 + 2] as number);
    sink.add(start[0] as number, start[1] as number, end[0] as number, end[1] as number, code);
  });
}
