/**
 * The routing index as a file, built with the bundle (scripts/bundle.mjs) from the installed data set,
 * so that a node's first routing question reads 4 MB into typed arrays (a few ms) instead of parsing
 * 600,000 CSV rows (0.1–0.4 s on the event loop, which held every other request of that node).
 * Layout: one line of JSON (the header, checked with zod), then the arrays, each at a 4-byte boundary:
 * v4 starts (uint32), v4 countries (uint8), v6 upper halves, v6 lower halves (uint32), v6 countries.
 * The header names the data set it was built from (package version and both files' sizes) and the
 * SHA-256 of the arrays: a file from another data set, cut short or altered is not used, and the node
 * builds from the CSV files as before. Nothing here throws on a bad file.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { dataSetFiles } from './data-set.js';
import type { Steps } from './steps.js';

const FORMAT = 'firstlight-routing-steps/1';

/** The data set a file was built from: a file is used only with the very same one. */
export interface DataSetStamp {
  version: string;
  v4Bytes: number;
  v6Bytes: number;
}

const headerSchema = z.strictObject({
  format: z.literal(FORMAT),
  dataSet: z.strictObject({ version: z.string().min(1).max(64), v4Bytes: z.int().min(0), v6Bytes: z.int().min(0) }),
  v4Steps: z.int().min(1).max(16_000_000),
  v6Steps: z.int().min(1).max(16_000_000),
  /** names[i] is country index i's code; index 0 is "no country" (null). */
  names: z
    .array(
      z
        .string()
        .regex(/^[A-Z]{2}$/)
        .nullable(),
    )
    .min(1)
    .max(256),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});

export interface StepsFile {
  v4: Steps;
  v6: Steps;
  names: Array<string | null>;
}

/** The installed data set's version and sizes. */
export function dataSetStamp(dataDir?: string): DataSetStamp {
  const files = dataSetFiles(dataDir);
  const { version } = JSON.parse(readFileSync(files.manifest, 'utf8')) as { version: string };
  return { version: String(version), v4Bytes: statSync(files.v4).size, v6Bytes: statSync(files.v6).size };
}

const pad4 = (n: number) => (n + 3) & ~3;

function layout(v4Steps: number, v6Steps: number) {
  const v4Lo = 0;
  const v4Country = v4Lo + 4 * v4Steps;
  const v6Hi = pad4(v4Country + v4Steps);
  const v6Lo = v6Hi + 4 * v6Steps;
  const v6Country = v6Lo + 4 * v6Steps;
  return { v4Lo, v4Country, v6Hi, v6Lo, v6Country, bytes: v6Country + v6Steps };
}

/** Writes the file (under a temporary name, then renamed: a reader never sees half of it). */
export function writeStepsFile(path: string, index: StepsFile, stamp: DataSetStamp): void {
  const { v4, v6 } = index;
  if (!v6.hi) throw new Error('the IPv6 steps have no upper halves');
  const at = layout(v4.count, v6.count);
  const body = new Uint8Array(at.bytes);
  body.set(new Uint8Array(v4.lo.buffer, v4.lo.byteOffset, 4 * v4.count), at.v4Lo);
  body.set(v4.country.subarray(0, v4.count), at.v4Country);
  body.set(new Uint8Array(v6.hi.buffer, v6.hi.byteOffset, 4 * v6.count), at.v6Hi);
  body.set(new Uint8Array(v6.lo.buffer, v6.lo.byteOffset, 4 * v6.count), at.v6Lo);
  body.set(v6.country.subarray(0, v6.count), at.v6Country);
  const header = {
    format: FORMAT,
    dataSet: stamp,
    v4Steps: v4.count,
    v6Steps: v6.count,
    names: index.names,
    digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
  } satisfies z.input<typeof headerSchema>;
  // The header line is padded so that the arrays start at a 4-byte boundary of the file.
  let line = JSON.stringify(header);
  line += ' '.repeat(pad4(line.length + 1) - line.length - 1);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, Buffer.concat([Buffer.from(`${line}\n`, 'ascii'), body]), { mode: 0o644 });
  renameSync(temp, path);
}

/**
 * The index in the file, or why it cannot be used (missing, another data set, malformed, altered): the
 * caller then builds from the CSV files. The arrays are views of one buffer read whole.
 */
export function readStepsFile(path: string, stamp: DataSetStamp): StepsFile | { unusable: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { unusable: `no prebuilt index at ${path}` };
  }
  try {
    const size = fstatSync(fd).size;
    if (size > 64 * 1024 * 1024) return { unusable: `${path} is ${size} bytes, more than an index can be` };
    const bytes = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, bytes, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    const newline = bytes.indexOf(10);
    if (newline < 0 || newline > 16 * 1024) return { unusable: `${path} has no header line` };
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(bytes.buffer, 0, newline).toString('ascii'));
    } catch {
      return { unusable: `${path}'s header is not JSON` };
    }
    const parsed = headerSchema.safeParse(json);
    if (!parsed.success) return { unusable: `${path}'s header is not a routing index header` };
    const header = parsed.data;
    const d = header.dataSet;
    if (d.version !== stamp.version || d.v4Bytes !== stamp.v4Bytes || d.v6Bytes !== stamp.v6Bytes)
      return { unusable: `${path} was built from data set ${d.version}, not the installed ${stamp.version}` };
    const start = newline + 1;
    const at = layout(header.v4Steps, header.v6Steps);
    if (start % 4 !== 0 || got !== start + at.bytes) return { unusable: `${path} is not the size its header gives` };
    const body = bytes.subarray(start);
    if (`sha256:${createHash('sha256').update(body).digest('hex')}` !== header.digest)
      return { unusable: `${path}'s arrays do not match its digest` };
    const u32 = (offset: number, count: number) => new Uint32Array(bytes.buffer, start + offset, count);
    const u8 = (offset: number, count: number) => new Uint8Array(bytes.buffer, start + offset, count);
    const v4: Steps = { count: header.v4Steps, hi: null, lo: u32(at.v4Lo, header.v4Steps), country: u8(at.v4Country, header.v4Steps) };
    const v6: Steps = {
      count: header.v6Steps,
      hi: u32(at.v6Hi, header.v6Steps),
      lo: u32(at.v6Lo, header.v6Steps),
      country: u8(at.v6Country, header.v6Steps),
    };
    const names = header.names;
    // A country index past the names (never in a file the digest vouches for) would answer "no country".
    if (names[0] !== null || names.slice(1).some((n) => n === null)) return { unusable: `${path}'s country names are not an index` };
    return { v4, v6, names };
  } finally {
    closeSync(fd);
  }
}
