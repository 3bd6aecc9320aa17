import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepsFileMatchesDataSet } from '../../scripts/bundle.mjs';
import { buildSteps, type IpIndex, loadIpIndex } from './ip-index.js';
import { dataSetStamp, readStepsFile, writeStepsFile } from './steps-file.js';

describe('the prebuilt routing index', () => {
  let dir: string;
  let file: string;
  let built: IpIndex;
  const stamp = dataSetStamp();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'firstlight-steps-'));
    file = join(dir, 'steps.bin');
    writeStepsFile(file, buildSteps(), stamp);
    built = loadIpIndex({ prebuilt: null });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back the very steps built from the data set, and answers every lookup as the build does', () => {
    const read = loadIpIndex({ prebuilt: file });
    expect(read.stats).toMatchObject({ source: 'prebuilt', v4Steps: built.stats.v4Steps, v6Steps: built.stats.v6Steps });
    expect(read.stats.unusable).toBeUndefined();
    expect(built.stats.source).toBe('data set');
    const steps = buildSteps();
    const again = readStepsFile(file, stamp);
    if ('unusable' in again) throw new Error(again.unusable);
    expect(again.names).toEqual(steps.names);
    const same = (a: ArrayBufferView | null, b: ArrayBufferView | null) =>
      a !== null &&
      b !== null &&
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    for (const k of ['v4', 'v6'] as const)
      expect([k, again[k].count, same(again[k].lo, steps[k].lo), same(again[k].country, steps[k].country)]).toEqual([
        k,
        steps[k].count,
        true,
        true,
      ]);
    expect(same(again.v6.hi, steps.v6.hi)).toBe(true);
    expect(again.v4.hi).toBeNull();
    // Addresses on and around step boundaries, IPv4, IPv6 and IPv4-mapped, in countries and in gaps.
    const probes: string[] = [];
    for (const country of ['KH', 'TH', 'VN', 'CN', 'US', 'AU', 'ZA'])
      for (const [start, end] of built.v4RangesOf(country).slice(0, 40))
        for (const x of [start - 1, start, start + 1, end, end + 1])
          if (x >= 0 && x <= 0xffffffff) probes.push(`${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`);
    probes.push('2001:4860:4860::8888', '2405:4800::1', '::ffff:1.0.0.1', '2001:db8::1', 'fe80::1', '0.0.0.0', '255.255.255.255');
    expect(probes.length).toBeGreaterThan(1000);
    expect(probes.map((ip) => [ip, read.lookup(ip)])).toEqual(probes.map((ip) => [ip, built.lookup(ip)]));
    expect(read.v4RangesOf('KH')).toEqual(built.v4RangesOf('KH'));
  });

  it('is not used, and the index is built from the data set, when the file is missing, from another data set, cut short, altered or not an index', () => {
    const bytes = readFileSync(file);
    const header = bytes.subarray(0, bytes.indexOf(10)).toString('ascii');
    const variants: Array<[string, Buffer | null, RegExp]> = [
      ['missing', null, /no prebuilt index/],
      [
        'another data set',
        Buffer.concat([
          Buffer.from(header.replace(stamp.version, '1.0.0'.padEnd(stamp.version.length, '0'))),
          bytes.subarray(header.length),
        ]),
        /built from data set/,
      ],
      ['cut short', bytes.subarray(0, bytes.length - 1000), /not the size its header gives/],
      ['altered', Buffer.from(bytes).fill(7, bytes.length - 10), /do not match its digest/],
      ['not JSON', Buffer.concat([Buffer.from('{not json'), bytes.subarray(header.length)]), /not JSON/],
      ['no header line', Buffer.alloc(100_000, 65), /no header line/],
      [
        'another format',
        Buffer.concat([
          Buffer.from(header.replace('firstlight-routing-steps/1', 'firstlight-routing-steps/9')),
          bytes.subarray(header.length),
        ]),
        /not a routing index header/,
      ],
    ];
    for (const [what, content, why] of variants) {
      const path = join(dir, `${what.replace(/ /g, '-')}.bin`);
      if (content) writeFileSync(path, content);
      const index = loadIpIndex({ prebuilt: path });
      expect([what, index.stats.source, index.stats.unusable]).toEqual([what, 'data set', expect.stringMatching(why)]);
      expect(index.lookup('103.1.2.3')).toBe(built.lookup('103.1.2.3'));
    }
  });

  it('makes the bundle stale when the installed data set is not the one its index was built from (a data set updated alone)', () => {
    expect(stepsFileMatchesDataSet(file)).toBe(true);
    const bytes = readFileSync(file);
    const header = bytes.subarray(0, bytes.indexOf(10)).toString('ascii');
    const other = join(dir, 'other-data-set.bin');
    writeFileSync(
      other,
      Buffer.concat([Buffer.from(header.replace(stamp.version, '1.0.0'.padEnd(stamp.version.length, '0'))), bytes.subarray(header.length)]),
    );
    expect(stepsFileMatchesDataSet(other)).toBe(false);
    const resized = join(dir, 'other-size.bin');
    writeFileSync(
      resized,
      Buffer.concat([
        Buffer.from(header.replace(`"v4Bytes":${stamp.v4Bytes}`, `"v4Bytes":${stamp.v4Bytes + 1}`)),
        bytes.subarray(header.length),
      ]),
    );
    expect(stepsFileMatchesDataSet(resized)).toBe(false);
    expect(stepsFileMatchesDataSet(join(dir, 'missing.bin'))).toBe(false);
    expect(stepsFileMatchesDataSet(file, join(dir, 'no-data-set-here'))).toBe(false);
  });
});
