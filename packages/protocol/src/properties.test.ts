import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, decodeBase64urlNative, encodeBase64url, parseStrictJson } from './encoding.js';
import { errorCodes } from './errors.js';
import { checkIp } from './ip.js';
import { signingKeyFromSeed } from './keys.js';
import { ACTIONS, repeats, URGENCIES } from './messages/common.js';
import type { Directory } from './messages/directory.js';
import type { Receipt } from './messages/receipt.js';
import type { Referral } from './messages/referral.js';
import { DECLINE_REASONS, STATUS_STATES, type Status } from './messages/status.js';
import { signMessage } from './sign.js';
import { createTrustStore } from './trust-store.js';
import { verify } from './verify.js';

const NOW = 1_750_000_000;
const countries = ['TH', 'KH', 'VN', 'CN', 'HK', 'MO'] as const;
const keys = Object.fromEntries(countries.map((c, i) => [c, signingKeyFromSeed(new Uint8Array(32).fill(i + 1))]));
const directory: Directory = {
  v: 1,
  serial: 1,
  issuedAt: NOW - 10,
  expiresAt: NOW + 86_400,
  authority: signingKeyFromSeed(new Uint8Array(32).fill(99)).publicJwk,
  members: countries.map((c) => ({
    country: c,
    name: c,
    endpoint: `https://${c.toLowerCase()}.example`,
    role: 'national' as const,
    keys: [{ kid: keys[c]?.kid as string, jwk: keys[c]?.publicJwk as never, nbf: NOW - 86_400, exp: NOW + 86_400 * 365 }],
  })),
  revoked: [],
  operations: [],
};
const trust = createTrustStore(directory);
const ctx = (recipient: string) => ({ type: 'referral' as const, keys: trust, recipient, recipientRole: 'national' as const, now: NOW });

const routableV4 = fc
  .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
  .map((o) => o.join('.'))
  .filter((ip) => checkIp(ip).ok);
const routableV6 = fc
  .array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
  .map((p) => {
    p[0] = 0x2400 + ((p[0] ?? 0) % 0x100);
    return p.map((x) => x.toString(16)).join(':');
  })
  .map((ip) => checkIp(ip))
  .filter((r) => r.ok)
  .map((r) => (r.ok ? r.canonical : ''));

const referralArb: fc.Arbitrary<Referral> = fc
  .record({
    pair: fc.uniqueArray(fc.constantFrom(...countries), { minLength: 2, maxLength: 2 }),
    ip: fc.oneof(routableV4, routableV6),
    port: fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }),
    iatOffset: fc.integer({ min: -86_000, max: 200 }),
    life: fc.integer({ min: 86_400 * 2, max: 86_400 * 89 }),
    evidence: fc.uniqueArray(
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${Buffer.from(b).toString('hex')}`),
      { minLength: 1, maxLength: 16 },
    ),
    action: fc.constantFrom(...ACTIONS),
    urgency: fc.constantFrom(...URGENCIES),
    operation: fc.stringMatching(/^[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}$/),
    seen: fc.integer({ min: 1_400_000_000, max: NOW }),
    rand: fc.integer({ min: 0, max: 2 ** 30 }),
  })
  .map((r) => {
    const iat = NOW + r.iatOffset;
    const ms = iat * 1000;
    const h = ms.toString(16).padStart(12, '0');
    const x = r.rand.toString(16).padStart(12, '0');
    const message: Referral = {
      v: 1,
      id: `${h.slice(0, 8)}-${h.slice(8)}-7${x.slice(0, 3)}-9${x.slice(3, 6)}-${x}`,
      from: r.pair[0] as string,
      to: r.pair[1] as string,
      iat,
      exp: iat + r.life,
      ip: r.ip,
      seenAt: new Date(r.seen * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      evidence: r.evidence,
      action: r.action,
      urgency: r.urgency,
      operation: r.operation,
    };
    if (r.port !== undefined) message.port = r.port;
    return message;
  });

/** A UUIDv7 whose time part is `ms` (the schema checks the version and variant, the time is ours). */
const uuidAt = (ms: number, rand: number) => {
  const h = ms.toString(16).padStart(12, '0');
  const x = rand.toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8)}-7${x.slice(0, 3)}-a${x.slice(3, 6)}-${x}`;
};
const countArb = fc.integer({ min: 0, max: 100_000 });

const statusArb: fc.Arbitrary<Status> = fc
  .record({
    pair: fc.uniqueArray(fc.constantFrom(...countries), { minLength: 2, maxLength: 2 }),
    iatOffset: fc.integer({ min: -86_000, max: 200 }),
    rand: fc.tuple(fc.integer({ min: 0, max: 2 ** 30 }), fc.integer({ min: 0, max: 2 ** 30 })),
    state: fc.constantFrom(...STATUS_STATES),
    outcome: fc.option(
      fc.record({ suspectsIdentified: countArb, arrests: countArb, premisesSearched: countArb, callCentresDismantled: countArb }),
      {
        nil: undefined,
      },
    ),
    reason: fc.constantFrom(...DECLINE_REASONS),
  })
  .map((r) => {
    const iat = NOW + r.iatOffset;
    const message: Status = {
      v: 1,
      id: uuidAt(iat * 1000, r.rand[0]),
      from: r.pair[0] as string,
      to: r.pair[1] as string,
      iat,
      referral: uuidAt((iat - 3600) * 1000, r.rand[1]),
      state: r.state,
    };
    if (r.state === 'declined') message.reason = r.reason;
    if (r.outcome && ['located', 'action_taken', 'closed'].includes(r.state)) message.outcome = r.outcome;
    return message;
  });

const receiptArb: fc.Arbitrary<Receipt> = fc
  .record({
    pair: fc.uniqueArray(fc.constantFrom(...countries), { minLength: 2, maxLength: 2 }),
    unattributed: fc.boolean(),
    iatOffset: fc.integer({ min: -86_000, max: 200 }),
    rand: fc.tuple(fc.integer({ min: 0, max: 2 ** 30 }), fc.integer({ min: 0, max: 2 ** 30 })),
    digest: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${Buffer.from(b).toString('hex')}`),
    code: fc.option(fc.constantFrom(...errorCodes), { nil: undefined }),
  })
  .map((r) => {
    const iat = NOW + r.iatOffset;
    const base = {
      v: 1 as const,
      id: uuidAt(iat * 1000, r.rand[0]),
      from: r.pair[0] as string,
      to: r.unattributed ? null : (r.pair[1] as string),
      iat,
      ref: { id: r.unattributed ? null : uuidAt((iat - 60) * 1000, r.rand[1]), digest: r.digest },
    };
    return r.code === undefined ? { ...base, verdict: 'accepted' as const } : { ...base, verdict: 'rejected' as const, code: r.code };
  });

describe('properties', () => {
  it('sign → verify round-trips for arbitrary valid statuses and receipts', async () => {
    await fc.assert(
      fc.asyncProperty(statusArb, async (m) => {
        const jws = await signMessage('status', m, keys[m.from] as never);
        const r = await verify(jws, { ...ctx(m.to), type: 'status' as const });
        expect(r.ok ? r.message : r.error.message).toEqual(m);
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(receiptArb, async (m) => {
        const jws = await signMessage('receipt', m, keys[m.from] as never);
        // A receipt is verified by the sender of the message it answers (or anyone, when unattributed).
        const r = await verify(jws, { ...ctx(m.to ?? 'VN'), type: 'receipt' as const });
        expect(r.ok ? r.message : r.error.message).toEqual(m);
      }),
      { numRuns: 100 },
    );
  });

  it('sign → verify round-trips for arbitrary valid referrals', async () => {
    await fc.assert(
      fc.asyncProperty(referralArb, async (m) => {
        const jws = await signMessage('referral', m, keys[m.from] as never);
        const r = await verify(jws, ctx(m.to));
        expect(r.ok ? r.message : r.error.message).toEqual(m);
      }),
      { numRuns: 150 },
    );
  });

  it('any change to any single character of a valid JWS is rejected', async () => {
    const m = fc.sample(referralArb, { numRuns: 1, seed: 42 })[0] as Referral;
    const jws = await signMessage('referral', m, keys[m.from] as never);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(jws.length - 1),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '),
        async (i, ch) => {
          fc.pre(jws[i] !== ch);
          const mutated = `${jws.slice(0, i)}${ch}${jws.slice(i + 1)}`;
          const r = await verify(mutated, ctx(m.to));
          expect(r.ok).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('verify returns only typed results, whatever the input', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.anything(), fc.stringMatching(/^[A-Za-z0-9_-]{0,80}\.[A-Za-z0-9_-]{0,80}\.[A-Za-z0-9_-]{0,90}$/)),
        async (input) => {
          const r = await verify(input, ctx('KH'));
          expect(r.ok).toBe(false);
          if (!r.ok) {
            expect(errorCodes).toContain(r.error.code);
            expect(r.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('strict base64url round-trips bytes and refuses every other text for them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (bytes) => {
        const text = encodeBase64url(bytes);
        expect(decodeBase64url(text)).toEqual(new Uint8Array(bytes));
        expect(decodeBase64url(`${text}=`)).toBeNull();
        expect(decodeBase64urlNative(text)).toEqual(new Uint8Array(bytes));
        expect(decodeBase64urlNative(`${text}=`)).toBeNull();
        // The same bytes written with an unused bit set in the last character: refused by both decoders.
        if (text.length % 4 >= 2) {
          const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
          const other = `${text.slice(0, -1)}${alphabet[alphabet.indexOf(text.slice(-1)) | 1]}`;
          expect(decodeBase64url(other)).toBeNull();
          expect(decodeBase64urlNative(other)).toBeNull();
        }
        expect(decodeBase64urlNative(`${text.slice(0, -1)}+`)).toBeNull();
      }),
    );
    // Long texts (directories) take the other decoder.
    const long = new Uint8Array(40_000).map((_, i) => (i * 7919) & 0xff);
    expect(decodeBase64url(encodeBase64url(long))).toEqual(long);
  });

  it('strict JSON agrees with JSON.parse on JSON without duplicate or prototype-polluting keys, and refuses those keys', () => {
    const polluting = /"(__proto__|constructor|prototype)":/;
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        if (polluting.test(text)) expect(parseStrictJson(text)).toBeUndefined();
        else expect(parseStrictJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('strict JSON refuses any object that names a member twice, at any depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), fc.jsonValue(), (value, name, repeat) => {
        // The value with one object in it given a member written twice (the second with other content).
        const key = JSON.stringify(name);
        const twice = `{${key}:${JSON.stringify(repeat)},${key}:${JSON.stringify(value)}}`;
        const text = JSON.stringify({ outer: [value, 'x'] }).replace('"x"', twice);
        expect(parseStrictJson(text)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("a list repeats an item exactly when a Set of it is smaller (the schemas' duplicate check)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 16 }), (list) => {
        expect(repeats(list)).toBe(new Set(list).size !== list.length);
      }),
    );
  });

  it('canonical IPs are fixed points of canonicalisation', () => {
    fc.assert(
      fc.property(fc.oneof(routableV4, routableV6), (ip) => {
        const r = checkIp(ip);
        expect(r.ok && r.canonical).toBe(ip);
      }),
    );
  });
});
