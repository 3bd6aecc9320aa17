import { describe, expect, it } from 'vitest';
import { loadIpIndex, upper64 } from './ip-index.js';

const hi64 = (text: string) => {
  const out = new Uint32Array(2);
  const buf = Buffer.from(`x${text}y`, 'latin1');
  upper64(buf, 1, buf.length - 1, new Uint16Array(8), out);
  return `${(out[0] as number).toString(16).padStart(8, '0')}${(out[1] as number).toString(16).padStart(8, '0')}`;
};

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
    expect(index.stats.v4Ranges).toBeGreaterThan(100_000);
    expect(index.stats.v6Ranges).toBeGreaterThan(100_000);
    // The data set's first IPv6 range, 2001:2::/48, is registered to Japan.
    expect(index.lookup('2001:2::1')).toBe('JP');
    expect(index.lookup('::ffff:1.0.16.1')).toBe(index.lookup('1.0.16.1'));
    expect(index.lookup('10.0.0.1')).toBeNull();
    expect(index.lookup('not an ip')).toBeNull();
  });
});
