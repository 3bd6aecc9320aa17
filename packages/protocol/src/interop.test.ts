/**
 * jose (panva/jose), an independent JOSE implementation, against ours: it verifies what we sign, we
 * verify what it signs, and peekJws reads headers as its decodeProtectedHeader does. This is where jose
 * earns its place in the repository: a second opinion on RFC 7515/8037, never a code path of a node.
 */
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { signDirectory } from './directory.js';
import { JWS_TYP } from './messages/common.js';
import { peekJws } from './peek.js';
import { signMessage } from './sign.js';
import { authority, directory, kh, NOW, referral, th } from './test-federation.js';
import { createTrustStore } from './trust-store.js';
import { uuidv7 } from './uuid.js';
import { verify } from './verify.js';

const publicKey = (key: typeof th) => importJWK({ ...key.publicJwk, alg: 'EdDSA' }, 'EdDSA');

describe('interoperability with jose', () => {
  it('jose verifies a referral and a directory signed here, with the header we mean', async () => {
    const jws = await signMessage('referral', referral(), th);
    const { protectedHeader } = await compactVerify(jws, await publicKey(th), { algorithms: ['EdDSA'] });
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: th.kid, typ: JWS_TYP.referral });
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'EdDSA', kid: th.kid, typ: peekJws(jws)?.typ });
    await expect(compactVerify(await signDirectory(directory(), authority), await publicKey(authority))).resolves.toBeDefined();
  });

  it('a status signed by jose passes our verification', async () => {
    const status = { v: 1, id: uuidv7(NOW * 1000), from: 'KH', to: 'TH', iat: NOW, referral: referral().id, state: 'acknowledged' };
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(status)))
      .setProtectedHeader({ alg: 'EdDSA', kid: kh.kid, typ: JWS_TYP.status })
      .sign(kh.privateKey);
    const keys = createTrustStore(directory());
    const result = await verify(jws, { type: ['referral', 'status'], keys, recipient: 'TH', recipientRole: 'national', now: NOW });
    expect(result.ok && { kind: result.kind, message: result.message }).toEqual({ kind: 'status', message: status });
  });
});
