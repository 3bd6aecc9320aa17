import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkIp, ipNetwork } from './ip.js';
import {
  exportPrivateJwk,
  exportPrivatePem,
  generateSigningKey,
  importPrivateJwk,
  importPrivatePem,
  importPublicJwk,
  jwkThumbprint,
} from './keys.js';

describe('keys', () => {
  it('round-trip through PKCS#8 PEM and JWK, keeping the thumbprint kid', () => {
    const key = generateSigningKey();
    expect(key.kid).toBe(jwkThumbprint(key.publicJwk));
    expect(importPrivatePem(exportPrivatePem(key)).kid).toBe(key.kid);
    expect(importPrivateJwk(exportPrivateJwk(key)).kid).toBe(key.kid);
    expect(importPublicJwk(key.publicJwk)).toEqual({ kid: key.kid, jwk: key.publicJwk });
  });

  it('refuse other key types and malformed keys with ERR_KEY_INVALID', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    for (const bad of [rsa, ec, 'not a pem', ''])
      expect(() => importPrivatePem(bad)).toThrow(expect.objectContaining({ code: 'ERR_KEY_INVALID' }));
    for (const bad of [
      {},
      { kty: 'OKP', crv: 'X25519', x: 'a'.repeat(43) },
      { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' },
      { kty: 'OKP', crv: 'Ed25519', x: 'short' },
      null,
    ])
      expect(() => importPublicJwk(bad)).toThrow(expect.objectContaining({ code: 'ERR_KEY_INVALID' }));
    expect(() => importPrivateJwk({ kty: 'OKP', crv: 'Ed25519', x: 'a'.repeat(43) })).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_INVALID' }),
    );
  });
});

describe('ip', () => {
  it('accepts global unicast and writes it canonically', () => {
    expect(checkIp('43.245.120.7')).toEqual({ ok: true, canonical: '43.245.120.7', family: 4 });
    expect(checkIp('2400:CB00:2048:0001:0000:0000:C629:D7A2')).toEqual({ ok: true, canonical: '2400:cb00:2048:1::c629:d7a2', family: 6 });
    expect(checkIp('::ffff:43.245.120.7')).toEqual({ ok: true, canonical: '43.245.120.7', family: 4 });
  });

  it('refuses every range that cannot be traced abroad, naming it', () => {
    const cases: Array<[string, string]> = [
      ['10.0.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.0.1', 'private'],
      ['127.0.0.1', 'loopback'],
      ['169.254.1.1', 'linkLocal'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['100.127.255.254', 'carrierGradeNat'],
      ['224.0.0.1', 'multicast'],
      ['0.0.0.0', 'unspecified'],
      ['255.255.255.255', 'broadcast'],
      ['::1', 'loopback'],
      ['fe80::1', 'linkLocal'],
      ['fc00::1', 'uniqueLocal'],
      ['ff02::1', 'multicast'],
      ['::ffff:10.1.1.1', 'private'],
    ];
    for (const [ip, range] of cases) expect(checkIp(ip), ip).toMatchObject({ ok: false, reason: 'unroutable', range });
    for (const ip of ['192.0.2.1', '198.51.100.1', '203.0.113.1', '198.18.0.1', '240.0.0.1', '2001:db8::1', '4000::1'])
      expect(checkIp(ip).ok, ip).toBe(false);
  });

  it('refuses what is not an address', () => {
    for (const text of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', 'fe80::1%eth0', 'example.com', '1.2.3.4/24', ' 1.2.3.4'])
      expect(checkIp(text), text).toEqual({ ok: false, reason: 'invalid' });
  });

  it('names the /24 or /48 a referral belongs to', () => {
    expect(ipNetwork('43.245.120.7')).toBe('43.245.120.0/24');
    expect(ipNetwork('2400:cb00:2048:1::c629:d7a2')).toBe('2400:cb00:2048::/48');
  });
});
