import { sign as edSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from './encoding.js';
import { importPublicJwk, jwkThumbprint, signingKeyFromSeed } from './keys.js';
import { createTrustStore } from './trust-store.js';
import { verify } from './verify.js';

// RFC 8037, appendix A.
const A1 = {
  kty: 'OKP' as const,
  crv: 'Ed25519' as const,
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
};
const A3_THUMBPRINT = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';
const A4_JWS =
  'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg';

describe('RFC 8037 appendix A', () => {
  const publicJwk = { kty: A1.kty, crv: A1.crv, x: A1.x };

  it('A.1/A.2: the seed gives the public key', () => {
    const key = signingKeyFromSeed(decodeBase64url(A1.d) as Uint8Array);
    expect(key.publicJwk).toEqual(publicJwk);
  });

  it('A.3: the RFC 7638 thumbprint is the kid', () => {
    expect(jwkThumbprint(publicJwk)).toBe(A3_THUMBPRINT);
    expect(importPublicJwk(publicJwk).kid).toBe(A3_THUMBPRINT);
  });

  it('A.4: signing gives the RFC signature byte for byte', () => {
    const key = signingKeyFromSeed(decodeBase64url(A1.d) as Uint8Array);
    const [h, p] = A4_JWS.split('.');
    const signature = edSign(null, new TextEncoder().encode(`${h}.${p}`), key.privateKey);
    expect(`${h}.${p}.${encodeBase64url(signature)}`).toBe(A4_JWS);
  });

  it('A.5: the RFC JWS verifies through the protocol code path, and its header is refused only for lacking the profile members', async () => {
    const now = 1_750_000_000;
    const trust = createTrustStore({
      v: 1,
      serial: 1,
      issuedAt: now,
      expiresAt: now + 1000,
      authority: publicJwk,
      members: [
        {
          country: 'TH',
          name: 'TH',
          endpoint: 'https://th.example',
          role: 'national',
          keys: [{ kid: A3_THUMBPRINT, jwk: publicJwk, nbf: now - 10, exp: now + 10 }],
        },
      ],
      revoked: [],
      operations: [],
    });
    const trusted = trust.find(A3_THUMBPRINT);
    expect(trusted).toBeDefined();
    const [h, p, s] = A4_JWS.split('.');
    const { verify: edVerify } = await import('node:crypto');
    expect(
      edVerify(null, new TextEncoder().encode(`${h}.${p}`), trust.publicKey(trusted as never), decodeBase64url(s as string) as Uint8Array),
    ).toBe(true);
    // The firstlight profile requires typ and kid in the protected header.
    const result = await verify(A4_JWS, { type: 'referral', keys: trust, recipient: 'KH', recipientRole: 'national', now });
    expect(result.ok ? 'OK' : result.error.code).toBe('ERR_JWS_TYP');
  });
});
