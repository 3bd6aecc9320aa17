import { describe, expect, it } from 'vitest';
import { checkKeySubmission, signKeySubmission } from './key-submission.js';
import { generateSigningKey } from './keys.js';
import { signBytesSync } from './sign.js';
import { directory, kh, NOW, th } from './test-federation.js';
import { createTrustStore } from './trust-store.js';

const keys = createTrustStore(directory());
const atLiaison = { keys, recipient: 'LIAISON', recipientRole: 'liaison' as const, now: NOW };
const fresh = generateSigningKey();
const newKey = { kid: fresh.kid, jwk: fresh.publicJwk, nbf: NOW, exp: NOW + 86_400 * 90 };
const codeOf = (jws: string, now = NOW) => {
  const check = checkKeySubmission(jws, { ...atLiaison, now });
  return check.ok ? 'ok' : check.error.code;
};

describe('key submission (PROTOCOL.md §3.2)', () => {
  it('is signed with the current key and checked like any message: the new key and its owner come back', () => {
    const jws = signKeySubmission(newKey, { party: 'TH', nowMs: NOW * 1000, current: th });
    const check = checkKeySubmission(jws, atLiaison);
    expect(check.ok && { party: check.submission.party, key: check.submission.key, kid: check.kid }).toEqual({
      party: 'TH',
      key: newKey,
      kid: th.kid,
    });
  });

  it("refuses a submission for another member's party, one signed by an unknown key, and a stale or future one", () => {
    expect(codeOf(signKeySubmission(newKey, { party: 'KH', nowMs: NOW * 1000, current: th }))).toBe('ERR_KEY_NOT_OWNER');
    expect(codeOf(signKeySubmission(newKey, { party: 'TH', nowMs: NOW * 1000, current: fresh }))).toBe('ERR_KEY_UNKNOWN');
    const jws = signKeySubmission(newKey, { party: 'KH', nowMs: NOW * 1000, current: kh });
    expect(codeOf(jws, NOW + 301)).toBe('ERR_EXPIRED');
    expect(codeOf(jws, NOW - 301)).toBe('ERR_IAT_FUTURE');
  });

  it('refuses a new key that would be valid before it was submitted (40 days back), and takes one within the skew', () => {
    const backdated = { ...newKey, nbf: NOW - 40 * 86_400 };
    expect(codeOf(signKeySubmission(backdated, { party: 'TH', nowMs: NOW * 1000, current: th }))).toBe('ERR_SCHEMA');
    const withinSkew = { ...newKey, nbf: NOW - 300 };
    expect(codeOf(signKeySubmission(withinSkew, { party: 'TH', nowMs: NOW * 1000, current: th }))).toBe('ok');
  });

  it('refuses a new key whose kid is not its thumbprint, and another message kind', () => {
    const misnamed = { v: 1, party: 'TH', iat: NOW, key: { ...newKey, kid: th.kid } };
    const jws = signBytesSync('firstlight-key-submission+jws', new TextEncoder().encode(JSON.stringify(misnamed)), th);
    expect(codeOf(jws)).toBe('ERR_KEY_INVALID');
    const asStatus = signBytesSync('firstlight-status+jws', new TextEncoder().encode(JSON.stringify(misnamed)), th);
    expect(codeOf(asStatus)).toBe('ERR_JWS_TYP');
  });
});
