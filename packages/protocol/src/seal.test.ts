import { describe, expect, it } from 'vitest';
import { sha256Digest } from './encoding.js';
import { type Seal, sealSchema } from './messages/seal.js';
import { checkSeal, sealDelivery } from './seal.js';
import { signBytes, signMessage } from './sign.js';
import { directory, kh, NOW, referral, th } from './test-federation.js';
import { createTrustStore } from './trust-store.js';
import { uuidv7 } from './uuid.js';
import { verifySync } from './verify.js';

const keys = createTrustStore(directory());
const atKH: { keys: typeof keys; recipient: string; recipientRole: 'national' | 'liaison'; now: number } = {
  keys,
  recipient: 'KH',
  recipientRole: 'national',
  now: NOW,
};
const nowMs = NOW * 1000;

/** The same envelope with its signature replaced by 64 other bytes: only a seal can vouch for it. */
function forge(jws: string): string {
  const sig = Buffer.from(jws.slice(jws.lastIndexOf('.') + 1), 'base64url');
  sig[0] = (sig[0] ?? 0) ^ 1;
  return `${jws.slice(0, jws.lastIndexOf('.') + 1)}${sig.toString('base64url')}`;
}

const envelopes = async (n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => signMessage('referral', referral({ id: uuidv7(nowMs + i) }), th)));

function verifyEnvelope(jws: string, sealedBy?: string) {
  const r = verifySync(jws, { ...atKH, type: 'referral', ...(sealedBy ? { sealedBy } : {}) });
  return r.ok ? 'ok' : r.error.code;
}

describe('delivery seal', () => {
  it('covers exactly the envelopes it lists, at their positions', async () => {
    const sent = await envelopes(3);
    const digests = sent.map(sha256Digest);
    const seal = sealDelivery(digests, { from: 'TH', to: 'KH', nowMs, key: th });
    const check = checkSeal(seal, [digests[0] ?? null, digests[2] ?? null, sha256Digest('other bytes')], atKH);
    expect(check.ok).toBe(true);
    if (check.ok) {
      expect(check.covered).toEqual([true, false, false]);
      expect(check.kid).toBe(th.kid);
      expect(check.seal.from).toBe('TH');
    }
  });

  it("stands for a listed envelope's own signature, and for nothing else", async () => {
    const [good] = await envelopes(1);
    const forged = forge(good as string);
    expect(verifyEnvelope(forged)).toBe('ERR_SIGNATURE_INVALID');
    expect(verifyEnvelope(forged, th.kid)).toBe('ok');
    // Another key's envelope is verified on its own signature, seal or not.
    const byKh = forge(await signMessage('status', statusFromKh(), kh));
    const r = verifySync(byKh, { keys, recipient: 'TH', recipientRole: 'national', now: NOW, type: 'status', sealedBy: th.kid });
    expect(r.ok ? 'ok' : r.error.code).toBe('ERR_SIGNATURE_INVALID');
    // A signature that is not even 64 bytes is refused, seal or not.
    const truncated = (good as string).slice(0, (good as string).lastIndexOf('.') + 41);
    expect(verifyEnvelope(truncated, th.kid)).toBe('ERR_SIGNATURE_INVALID');
  });

  it('leaves every other check to the envelope: expired, wrong recipient and schema still refuse', async () => {
    const expired = await signMessage('referral', referral({ iat: NOW - 3600, exp: NOW - 1800 }), th);
    const toTh = await signMessage('referral', referral({ from: 'KH', to: 'TH' }), kh);
    expect(verifyEnvelope(expired, th.kid)).toBe('ERR_EXPIRED');
    expect(verifyEnvelope(toTh, kh.kid)).toBe('ERR_WRONG_RECIPIENT');
    const extra = await signBytes('firstlight-referral+jws', new TextEncoder().encode(JSON.stringify({ ...referral(), victim: 'x' })), th);
    expect(verifyEnvelope(extra, th.kid)).toBe('ERR_SCHEMA');
  });

  it('is refused when its own signature fails, when addressed elsewhere (even at the liaison office), stale or miscounted', async () => {
    const digests = (await envelopes(2)).map(sha256Digest);
    const seal = sealDelivery(digests, { from: 'TH', to: 'KH', nowMs, key: th });
    const codeOf = (s: unknown, ctx = atKH, d: Array<string | null> = digests) => {
      const c = checkSeal(s, d, ctx);
      return c.ok ? 'ok' : c.error.code;
    };
    expect(codeOf(seal)).toBe('ok');
    expect(codeOf(forge(seal))).toBe('ERR_SIGNATURE_INVALID');
    expect(codeOf(seal, { ...atKH, recipient: 'TH' })).toBe('ERR_WRONG_RECIPIENT');
    expect(codeOf(seal, { ...atKH, recipient: 'LIAISON', recipientRole: 'liaison' })).toBe('ERR_WRONG_RECIPIENT');
    expect(codeOf(seal, { ...atKH, now: NOW + 301 })).toBe('ERR_SEAL_STALE');
    expect(codeOf(seal, { ...atKH, now: NOW + 300 })).toBe('ok');
    expect(codeOf(seal, atKH, [...digests, null])).toBe('ERR_SEAL_MISMATCH');
    expect(codeOf(sealDelivery(digests, { from: 'TH', to: 'KH', nowMs, key: kh }))).toBe('ERR_KEY_NOT_OWNER');
    expect(codeOf(digests)).toBe('ERR_JWS_MALFORMED');
    const liaison = sealDelivery(digests, { from: 'TH', to: 'LIAISON', nowMs, key: th });
    expect(codeOf(liaison, { ...atKH, recipient: 'LIAISON', recipientRole: 'liaison' })).toBe('ok');
  });

  it('is strict: no unknown members, 1 to 500 digests of the sha256: form', () => {
    const base: Seal = { v: 1, id: uuidv7(nowMs), from: 'TH', to: 'KH', iat: NOW, envelopes: [sha256Digest('a')] };
    expect(sealSchema.safeParse(base).success).toBe(true);
    for (const bad of [
      { ...base, victim: 'x' },
      { ...base, envelopes: [] },
      { ...base, envelopes: Array.from({ length: 501 }, () => sha256Digest('a')) },
      { ...base, envelopes: ['abc'] },
    ])
      expect(sealSchema.safeParse(bad).success).toBe(false);
  });
});

function statusFromKh() {
  return { v: 1 as const, id: uuidv7(nowMs + 99), from: 'KH', to: 'TH', iat: NOW, referral: uuidv7(nowMs), state: 'acknowledged' as const };
}
