/** Test fixture shared by the protocol's tests: two members (TH, KH) with fixed keys, and a referral. */
import { signingKeyFromSeed } from './keys.js';
import type { Directory } from './messages/directory.js';
import type { Referral } from './messages/referral.js';
import { uuidv7 } from './uuid.js';

export const NOW = 1_750_000_000;
const seed = (n: number) => new Uint8Array(32).fill(n);
export const th = signingKeyFromSeed(seed(1));
export const kh = signingKeyFromSeed(seed(2));
export const authority = signingKeyFromSeed(seed(9));

export function directory(revoked: Directory['revoked'] = []): Directory {
  const member = (country: string, key: typeof th) => ({
    country,
    name: country,
    endpoint: `http://127.0.0.1/${country}`,
    role: 'national' as const,
    keys: [{ kid: key.kid, jwk: key.publicJwk, nbf: NOW - 86_400, exp: NOW + 86_400 * 365 }],
  });
  return {
    v: 1,
    serial: 1,
    issuedAt: NOW - 10,
    expiresAt: NOW + 86_400,
    authority: authority.publicJwk,
    members: [member('TH', th), member('KH', kh)],
    revoked,
    operations: [],
  };
}

export function referral(overrides: Partial<Referral> = {}): Referral {
  return {
    v: 1,
    id: uuidv7(NOW * 1000),
    from: 'TH',
    to: 'KH',
    iat: NOW,
    exp: NOW + 86_400,
    ip: '43.245.120.7',
    seenAt: '2015-06-01T10:00:00Z',
    evidence: [`sha256:${'a'.repeat(64)}`],
    action: 'locate',
    urgency: 'urgent',
    operation: 'first-light-2015',
    ...overrides,
  };
}
