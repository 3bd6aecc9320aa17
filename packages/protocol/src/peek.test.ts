import { describe, expect, it } from 'vitest';
import { peekJws, peekString } from './peek.js';
import { signMessage } from './sign.js';
import { referral, th } from './test-federation.js';

describe('peekJws: reading without verifying', () => {
  it('gives typ, kid and payload of a signed message, and of one whose signature is garbage', async () => {
    const message = referral();
    const jws = await signMessage('referral', message, th);
    const expected = { typ: 'firstlight-referral+jws', kid: th.kid, payload: message };
    expect(peekJws(jws)).toEqual(expected);
    expect(peekJws(`${jws.slice(0, jws.lastIndexOf('.'))}.AAAA`)).toEqual(expected);
    expect(peekString(peekJws(jws)?.payload, 'id')).toBe(message.id);
  });

  it('reads a header however long (whitespace between members), and refuses what is not a JWS', () => {
    const header = Buffer.from(`{"alg":"EdDSA",${' '.repeat(500)}"typ":"firstlight-status+jws"}`).toString('base64url');
    expect(peekJws(`${header}.e30.c2ln`)).toEqual({ typ: 'firstlight-status+jws', kid: null, payload: {} });
    for (const bad of [42, '', 'a.b', 'a.b.c.d', `${Buffer.from('[1]').toString('base64url')}.e30.c2ln`, 'e30=.e30.c2ln'])
      expect(peekJws(bad), String(bad)).toBeNull();
    expect(peekJws(`${header}.not-json.c2ln`)?.payload).toBeUndefined();
  });
});
