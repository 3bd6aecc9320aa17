import { describe, expect, it } from 'vitest';
import { generateSigningKey } from './keys.js';
import { signBytesSync } from './sign.js';
import { directory, kh, NOW, th } from './test-federation.js';
import { checkTlsPinSubmission, signTlsPinSubmission } from './tls-pin-submission.js';
import { createTrustStore } from './trust-store.js';

const keys = createTrustStore(directory());
const atLiaison = { keys, recipient: 'LIAISON', recipientRole: 'liaison' as const, now: NOW };
const oldPin = Buffer.alloc(32, 1).toString('base64url');
const newPin = Buffer.alloc(32, 2).toString('base64url');
const codeOf = (jws: string, now = NOW) => {
  const check = checkTlsPinSubmission(jws, { ...atLiaison, now });
  return check.ok ? 'ok' : check.error.code;
};

describe('TLS pin submission (PROTOCOL.md §3.2, §2.4.1)', () => {
  it('is signed with the current key and checked like any message: the pins and their owner come back', () => {
    const jws = signTlsPinSubmission([oldPin, newPin], { party: 'TH', nowMs: NOW * 1000, current: th });
    const check = checkTlsPinSubmission(jws, atLiaison);
    expect(check.ok && { party: check.submission.party, pins: check.submission.tlsPins, kid: check.kid }).toEqual({
      party: 'TH',
      pins: [oldPin, newPin],
      kid: th.kid,
    });
  });

  it("refuses pins for another member's party, one signed by an unknown key, a stale or future one", () => {
    expect(codeOf(signTlsPinSubmission([newPin], { party: 'KH', nowMs: NOW * 1000, current: th }))).toBe('ERR_KEY_NOT_OWNER');
    expect(codeOf(signTlsPinSubmission([newPin], { party: 'TH', nowMs: NOW * 1000, current: generateSigningKey() }))).toBe(
      'ERR_KEY_UNKNOWN',
    );
    const jws = signTlsPinSubmission([newPin], { party: 'KH', nowMs: NOW * 1000, current: kh });
    expect(codeOf(jws, NOW + 301)).toBe('ERR_EXPIRED');
    expect(codeOf(jws, NOW - 301)).toBe('ERR_IAT_FUTURE');
  });

  it('refuses a pin that is not a SHA-256, a pin listed twice, and a key submission typ', () => {
    const bad = (tlsPins: string[], typ = 'firstlight-tls-pin-submission+jws') =>
      signBytesSync(typ, new TextEncoder().encode(JSON.stringify({ v: 1, party: 'TH', iat: NOW, tlsPins })), th);
    expect(codeOf(bad(['sha256']))).toBe('ERR_SCHEMA');
    expect(codeOf(bad([newPin, newPin]))).toBe('ERR_SCHEMA');
    expect(codeOf(bad([newPin], 'firstlight-key-submission+jws'))).toBe('ERR_JWS_TYP');
  });
});
