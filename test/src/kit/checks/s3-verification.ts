/**
 * PROTOCOL.md §3, the verification order, hand-written: one check per attack or refusal, each citing
 * the numbered check of §3 that must stop it (size, form, header, key, signature, payload, owner,
 * recipient, expiry, clock, replay). Each sends an envelope the kit signs itself, now, and checks the
 * target's signed receipt. Checks about what follows an accepted message start from the run's
 * accepted-referral fixture, never from bytes another check sent.
 */
import { createHmac } from 'node:crypto';
import { encodeBase64url } from '@firstlight/protocol';
import type { Check, CheckContext } from '../catalogue.js';
import { KIT_KEYS } from '../keys.js';
import { deliver, manual, nowSeconds } from '../probe.js';
import { kitReferral, referralHeader, type Signed, signedReferral } from '../referrals.js';

/** A referral from country A to the target, changed as asked. */
const signed = (ctx: CheckContext, changes: Signed = {}) => signedReferral(ctx.countries[0], ctx.target.country, changes);

/** A check that sends one envelope and expects its receipt to carry this verdict or code. */
const refused = (
  id: string,
  section: string,
  title: string,
  expected: string,
  envelope: (ctx: CheckContext) => string | Promise<string>,
): Check => ({ id, section, title, run: async (ctx) => ctx.probe.single(await envelope(ctx), expected) });

/** The accepted referral's header and signature segments, to cut defective envelopes from. */
const segments = async (ctx: CheckContext) => {
  const { jws, message } = await ctx.fixtures.acceptedReferral();
  const [h = '', , s = ''] = jws.split('.');
  return { jws, message, h, s };
};

export const verificationChecks: Check[] = [
  refused('jws-too-large', '§3 check 1', 'an oversized JWS (ERR_JWS_TOO_LARGE)', 'ERR_JWS_TOO_LARGE', async (ctx) => {
    const { h, s } = await segments(ctx);
    return `${h}.${'A'.repeat(17_000)}.${s}`;
  }),
  refused(
    'signature-reencoded',
    '§3 check 2',
    'a re-encoded (non-canonical base64url) signature of an accepted referral (ERR_JWS_MALFORMED)',
    'ERR_JWS_MALFORMED',
    async (ctx) => {
      // The last character of a 64-byte signature carries 4 unused bits: setting one gives the same bytes as other text.
      const { jws } = await segments(ctx);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      return `${jws.slice(0, -1)}${alphabet[alphabet.indexOf(jws.at(-1) as string) + 1]}`;
    },
  ),
  refused('alg-none', '§3 check 3', 'alg none (ERR_JWS_ALG)', 'ERR_JWS_ALG', (ctx) => {
    const referral = kitReferral(ctx.countries[0], ctx.target.country);
    return `${encodeBase64url(JSON.stringify(referralHeader(KIT_KEYS.a, { alg: 'none' })))}.${encodeBase64url(JSON.stringify(referral))}.`;
  }),
  refused('alg-hs256-public-key', '§3 check 3', 'HS256 with the public key as secret (ERR_JWS_ALG)', 'ERR_JWS_ALG', (ctx) => {
    const h = encodeBase64url(JSON.stringify(referralHeader(KIT_KEYS.a, { alg: 'HS256' })));
    const p = encodeBase64url(JSON.stringify(kitReferral(ctx.countries[0], ctx.target.country)));
    const mac = createHmac('sha256', JSON.stringify(KIT_KEYS.a.publicJwk)).update(`${h}.${p}`).digest('base64url');
    return `${h}.${p}.${mac}`;
  }),
  refused('header-jwk', '§3 check 3', 'a header-embedded jwk (ERR_JWS_HEADER_FORBIDDEN)', 'ERR_JWS_HEADER_FORBIDDEN', (ctx) =>
    signed(ctx, { key: KIT_KEYS.outsider, header: { jwk: KIT_KEYS.outsider.publicJwk } }),
  ),
  refused('key-unknown', '§3 check 4', 'a key in no directory (ERR_KEY_UNKNOWN)', 'ERR_KEY_UNKNOWN', (ctx) =>
    signed(ctx, { key: KIT_KEYS.outsider }),
  ),
  refused('key-revoked', '§3 check 4', 'a revoked key (ERR_KEY_REVOKED)', 'ERR_KEY_REVOKED', (ctx) =>
    signed(ctx, { key: KIT_KEYS.revoked }),
  ),
  refused(
    'payload-tampered',
    '§3 check 5',
    'a tampered payload of an accepted referral (ERR_SIGNATURE_INVALID)',
    'ERR_SIGNATURE_INVALID',
    async (ctx) => {
      // Tampered bytes of a message the target holds: a node that looks the id up before it verifies would accept them.
      const { message, h, s } = await segments(ctx);
      return `${h}.${encodeBase64url(JSON.stringify({ ...message, action: 'arrest' }))}.${s}`;
    },
  ),
  refused(
    'signature-other-key',
    '§3 check 5',
    'a signature by another key under this kid (ERR_SIGNATURE_INVALID)',
    'ERR_SIGNATURE_INVALID',
    (ctx) => manual(referralHeader(KIT_KEYS.a), kitReferral(ctx.countries[0], ctx.target.country), KIT_KEYS.b),
  ),
  refused('payload-duplicate-keys', '§3 check 6', 'duplicate JSON keys (ERR_PAYLOAD_MALFORMED)', 'ERR_PAYLOAD_MALFORMED', (ctx) => {
    const text = JSON.stringify(kitReferral(ctx.countries[0], ctx.target.country)).replace('"from":', '"from":"ZZ","from":');
    return manual(referralHeader(KIT_KEYS.a), null, KIT_KEYS.a, text);
  }),
  refused('key-not-owner', '§3 check 7', "another country's key (ERR_KEY_NOT_OWNER)", 'ERR_KEY_NOT_OWNER', (ctx) =>
    signed(ctx, { key: KIT_KEYS.b }),
  ),
  refused('wrong-recipient', '§3 check 9', 'a referral addressed to someone else (ERR_WRONG_RECIPIENT)', 'ERR_WRONG_RECIPIENT', (ctx) =>
    signed(ctx, { over: { to: ctx.countries[1] } }),
  ),
  refused('expired', '§3 check 10', 'an expired referral (ERR_EXPIRED)', 'ERR_EXPIRED', (ctx) =>
    signed(ctx, { over: { iat: nowSeconds() - 40 * 86_400 + 600, exp: nowSeconds() - 86_400 } }),
  ),
  refused('iat-future', '§3 check 11', 'iat beyond the clock-skew allowance (ERR_IAT_FUTURE)', 'ERR_IAT_FUTURE', (ctx) =>
    signed(ctx, { over: { iat: nowSeconds() + 3600 } }),
  ),
  {
    id: 'replay',
    section: '§3 check 12',
    title: 'the same id with other bytes is a replay (ERR_REPLAY)',
    run: async (ctx) => {
      const { message } = await ctx.fixtures.acceptedReferral();
      const other = manual(referralHeader(KIT_KEYS.a), { ...message, action: 'arrest' }, KIT_KEYS.a);
      const out = await deliver(ctx.target, JSON.stringify({ envelopes: [other] }));
      return ctx.probe.receiptFor(other, out.receipts?.[0], 'ERR_REPLAY');
    },
  },
  {
    id: 'resend-idempotent',
    section: '§3 check 12',
    title: 'the same bytes again get the same receipt (idempotent)',
    run: async (ctx) => {
      const { jws, receipt } = await ctx.fixtures.acceptedReferral();
      const again = await deliver(ctx.target, JSON.stringify({ envelopes: [jws] }));
      return again.receipts?.[0] === receipt ? null : 'a different receipt came back';
    },
  },
];
