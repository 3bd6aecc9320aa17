import { describe, expect, it } from 'vitest';
import { encodeBase64url } from './encoding.js';
import { signingKeyFromSeed } from './keys.js';
import type { Directory } from './messages/directory.js';
import { signBytes, signMessage } from './sign.js';
import { directory, kh, NOW, referral, th } from './test-federation.js';
import { createTrustStore } from './trust-store.js';
import { verify } from './verify.js';

const context = (dir = directory()) => ({
  type: 'referral' as const,
  keys: createTrustStore(dir),
  recipient: 'KH',
  recipientRole: 'national' as const,
  now: NOW,
});

async function codeOf(jws: unknown, dir?: Directory) {
  const result = await verify(jws, context(dir));
  return result.ok ? 'OK' : result.error.code;
}

describe('verify', () => {
  it('accepts a referral signed by its sender and returns the parsed message', async () => {
    const message = referral();
    const jws = await signMessage('referral', message, th);
    const result = await verify(jws, context());
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.message).toEqual(message);
      expect(result.kid).toBe(th.kid);
      expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it('refuses a tampered payload with ERR_SIGNATURE_INVALID', async () => {
    const jws = await signMessage('referral', referral(), th);
    const [h, , s] = jws.split('.');
    const forged = encodeBase64url(new TextEncoder().encode(JSON.stringify({ ...referral(), action: 'arrest' })));
    expect(await codeOf(`${h}.${forged}.${s}`)).toBe('ERR_SIGNATURE_INVALID');
  });

  it('checks the key before the signature: a truncated signature by an unknown or revoked key gets the key error', async () => {
    const jws = await signMessage('referral', referral(), th);
    const truncated = jws.slice(0, jws.lastIndexOf('.') + 1 + 40); // 30 bytes, not 64
    expect(await codeOf(truncated)).toBe('ERR_SIGNATURE_INVALID');
    const stranger = signingKeyFromSeed(new Uint8Array(32).fill(7));
    const foreign = await signMessage('referral', referral(), stranger);
    expect(await codeOf(foreign.slice(0, foreign.lastIndexOf('.') + 1 + 40))).toBe('ERR_KEY_UNKNOWN');
    const revoked = directory([{ kid: th.kid, at: NOW - 5, reason: 'compromised' }]);
    expect(await codeOf(truncated, revoked)).toBe('ERR_KEY_REVOKED');
  });

  it('takes the kind from the typ among the kinds accepted, and refuses a kind not accepted with ERR_JWS_TYP', async () => {
    const delivered = { ...context(), type: ['referral', 'status'] as const };
    const result = await verify(await signMessage('referral', referral(), th), delivered);
    expect(result.ok && result.kind).toBe('referral');
    const seal = await signMessage(
      'seal',
      { v: 1, id: referral().id, from: 'TH', to: 'KH', iat: NOW, envelopes: [`sha256:${'a'.repeat(64)}`] },
      th,
    );
    const refused = await verify(seal, delivered);
    expect(refused.ok ? 'OK' : refused.error.code).toBe('ERR_JWS_TYP');
  });

  it('refuses forbidden header members, other algorithms and wrong typ', async () => {
    const payload = new TextEncoder().encode(JSON.stringify(referral()));
    expect(await codeOf(await signBytes('firstlight-referral+jws', payload, th, { jwk: th.publicJwk }))).toBe('ERR_JWS_HEADER_FORBIDDEN');
    expect(await codeOf(await signBytes('firstlight-status+jws', payload, th))).toBe('ERR_JWS_TYP');
    const header = encodeBase64url(new TextEncoder().encode(JSON.stringify({ alg: 'none', kid: th.kid, typ: 'firstlight-referral+jws' })));
    expect(await codeOf(`${header}.${encodeBase64url(payload)}.`)).not.toBe('OK');
  });

  it('refuses a key that does not belong to "from", a revoked key, and the wrong recipient', async () => {
    expect(await codeOf(await signMessage('referral', referral(), kh))).toBe('ERR_KEY_NOT_OWNER');
    const revoked = directory([{ kid: th.kid, at: NOW - 5, reason: 'compromised' }]);
    expect(await codeOf(await signMessage('referral', referral(), th), revoked)).toBe('ERR_KEY_REVOKED');
    expect(await codeOf(await signMessage('referral', referral({ to: 'VN' }), th))).toBe('ERR_WRONG_RECIPIENT');
  });

  it('the liaison office takes a copy addressed to any member, and refuses one addressed to a non-member', async () => {
    const liaison = { ...context(), recipient: 'LIAISON', recipientRole: 'liaison' as const };
    const toMember = await verify(await signMessage('referral', referral(), th), liaison);
    expect(toMember.ok).toBe(true);
    const toStranger = await verify(await signMessage('referral', referral({ to: 'JP' }), th), liaison);
    expect(toStranger.ok ? 'OK' : toStranger.error.code).toBe('ERR_WRONG_RECIPIENT');
  });

  it('refuses unroutable IPs inside a validly signed message with ERR_IP_UNROUTABLE', async () => {
    for (const ip of ['10.1.2.3', '100.64.0.1', '::ffff:192.168.1.1', 'fe80::1', '2001:db8::1']) {
      const jws = await signBytes('firstlight-referral+jws', new TextEncoder().encode(JSON.stringify(referral({ ip }))), th);
      expect(await codeOf(jws), ip).toBe('ERR_IP_UNROUTABLE');
    }
  });

  it('never throws on garbage', async () => {
    const hostile = {
      toJSON() {
        throw new Error('no');
      },
    };
    // { toString: 0 } was found by fast-check: String() of it throws.
    for (const garbage of [null, 42, '', 'a.b.c', '...', 'x'.repeat(20_000), {}, ['a'], { toString: 0 }, hostile, Symbol('s'), 10n]) {
      const result = await verify(garbage, context());
      expect(result.ok).toBe(false);
    }
  });
});
