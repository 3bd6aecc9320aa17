import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { dataSetFiles, upper64 } from './data-set.js';
import { loadIpIndex } from './ip-index.js';

const hi64 = (text: string) => {
  const out = new Uint32Array(2);
  const buf = Buffer.from(`x${text}y`, 'latin1');
  upper64(buf, 1, buf.length - 1, new Uint16Array(8), out);
  return `${(out[0] as number).toString(16).padStart(8, '0')}${(out[1] as number).toString(16).padStart(8, '0')}`;
};

/**
 * The data set's rows read the plain way (split lines, ipaddr.js), independently of data-set.ts, and
 * answered two ways: as the index before steps answered (the last row starting at or below the key, if
 * it reaches the key) and as the index must (the last row, in file order, that holds the key).
 */
function reference<K extends number | bigint>(rows: Array<{ start: K; end: K; country: string }>) {
  const reach: K[] = [];
  for (const [i, row] of rows.entries()) reach.push(i > 0 && (reach[i - 1] as K) > row.end ? (reach[i - 1] as K) : row.end);
  const lastStartingAtOrBelow = (key: K) => {
    let lo = 0;
    let hi = rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((rows[mid] as { start: K }).start <= key) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi;
  };
  return {
    before(key: K): string | null {
      const row = rows[lastStartingAtOrBelow(key)];
      return row && row.end >= key ? row.country : null;
    },
    now(key: K): string | null {
      for (let i = lastStartingAtOrBelow(key); i >= 0 && (reach[i] as K) >= key; i--) {
        const row = rows[i] as { end: K; country: string };
        if (row.end >= key) return row.country;
      }
      return null;
    },
  };
}

const lines = (file: string) =>
  readFileSync(file, 'latin1')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(','));
const v6Key = (text: string) => {
  const p = ipaddr.IPv6.parse(text).parts;
  return (BigInt(((p[0] as number) << 16) | (p[1] as number)) << 32n) | BigInt((((p[2] as number) << 16) | (p[3] as number)) >>> 0);
};
const v4Text = (x: number) => `${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
const v6Text = (key: bigint) => `${[48n, 32n, 16n, 0n].map((shift) => ((key >> shift) & 0xffffn).toString(16)).join(':')}::`;

/**
 * Every key where either answer can change is a row's start or the key after its end: probing each of
 * them, and one either side, covers every step of both, so agreeing there is agreeing everywhere. In
 * this data set a range nested in a larger one of another country (557 IPv4, 82 IPv6) is always
 * followed by a row for the larger one's remainder, so both answers agree; the steps must give both.
 */
function compare<K extends number | bigint>(
  rows: Array<{ start: K; end: K; country: string }>,
  probes: (row: { start: K; end: K }) => K[],
  text: (key: K) => string,
) {
  const index = loadIpIndex();
  const ref = reference(rows);
  let probed = 0;
  const wrong: string[] = [];
  for (const row of rows)
    for (const key of probes(row)) {
      probed++;
      const answer = index.lookup(text(key));
      const [before, now] = [ref.before(key), ref.now(key)];
      if ((answer !== before || answer !== now) && wrong.length < 5)
        wrong.push(`${text(key)}: ${answer}; the index before: ${before}; the last row holding it: ${now}`);
    }
  return { probed, wrong };
}

describe('the routing index', () => {
  it('takes the upper 64 bits of any textual IPv6 address, whatever its :: and case', () => {
    expect(hi64('::')).toBe('0000000000000000');
    expect(hi64('2001:db8::')).toBe('20010db800000000');
    expect(hi64('2001:DB8::1')).toBe('20010db800000000');
    expect(hi64('::1:2:3:4:5')).toBe('0000000000000001');
    expect(hi64('2001:2::ffff:ffff:ffff:ffff:ffff')).toBe('200100020000ffff');
    expect(hi64('2001:1f:ffff:ffff:ffff:ffff:ffff:ffff')).toBe('2001001fffffffff');
    expect(hi64('2a01:4f9:3b:5531:ffff:ffff:ffff:ffff')).toBe('2a0104f9003b5531');
    expect(hi64('1:2:3:4:5:6:7::')).toBe('0001000200030004');
  });

  it('answers IPv4 and IPv6 lookups from the data set', () => {
    const index = loadIpIndex();
    expect(index.stats.v4Steps).toBeGreaterThan(100_000);
    expect(index.stats.v6Steps).toBeGreaterThan(100_000);
    // The data set's first IPv6 range, 2001:2::/48, is registered to Japan.
    expect(index.lookup('2001:2::1')).toBe('JP');
    expect(index.lookup('::ffff:1.0.16.1')).toBe(index.lookup('1.0.16.1'));
    expect(index.lookup('10.0.0.1')).toBeNull();
    expect(index.lookup('not an ip')).toBeNull();
  });

  it('answers a nested range inside itself and the range around it after it (2.58.197.15 BE inside 2.58.196.0/23 DE)', () => {
    const index = loadIpIndex();
    expect([index.lookup('2.58.197.14'), index.lookup('2.58.197.15'), index.lookup('2.58.197.16')]).toEqual(['DE', 'BE', 'DE']);
  });

  it('answers every IPv4 address at and beside a range boundary as the index of start, end and country per range did', () => {
    const rows = lines(dataSetFiles().v4).map(([start, end, country]) => ({
      start: Number(start),
      end: Number(end),
      country: country as string,
    }));
    const inSpace = (x: number) => x >= 0 && x <= 0xffffffff;
    const { probed, wrong } = compare(
      rows,
      ({ start, end }) => [start - 1, start, start + 1, end - 1, end, end + 1].filter(inSpace),
      v4Text,
    );
    expect(probed).toBeGreaterThan(6 * 334_000 - 10);
    expect(wrong).toEqual([]);
  });

  it('answers every IPv6 /64 at and beside a range boundary as the index of start, end and country per range did', () => {
    const rows = lines(dataSetFiles().v6).map(([start, end, country]) => ({
      start: v6Key(start as string),
      end: v6Key(end as string),
      country: country as string,
    }));
    const inSpace = (x: bigint) => x >= 0n && x < 1n << 64n;
    const { probed, wrong } = compare(
      rows,
      ({ start, end }) => [start - 1n, start, start + 1n, end - 1n, end, end + 1n].filter(inSpace),
      v6Text,
    );
    expect(probed).toBeGreaterThan(6 * 216_000 - 10);
    expect(wrong).toEqual([]);
  });

  it('samples a country only where the index answers that country', () => {
    const index = loadIpIndex();
    const ranges = index.v4RangesOf('DE');
    expect(ranges.length).toBeGreaterThan(1000);
    for (const [start, end] of ranges) {
      expect(index.lookup(v4Text(start))).toBe('DE');
      expect(index.lookup(v4Text(end))).toBe('DE');
    }
    expect(index.v4RangesOf('XX')).toEqual([]);
  });
});
