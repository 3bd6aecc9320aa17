/**
 * PROTOCOL.md §2.3.2, delivery seals: what every target must do with a `seal` member, whether it uses
 * seals or ignores them all (a recipient MAY). A sealed delivery is answered as an unsealed one; a seal
 * never vouches for bytes it does not list at their position, for another key's envelopes, for anything
 * but the signature step, nor at all when it fails a check of its own. These checks must never require
 * a forged envelope to be accepted: a recipient that ignores seals refuses every one of them, and it is
 * conformant.
 */
import { JWS_TYP, type SigningKey, sha256Digest, uuidv7 } from '@firstlight/protocol';
import type { Check, CheckContext } from '../catalogue.js';
import { KIT_KEYS } from '../keys.js';
import { deliver, manual, nowSeconds } from '../probe.js';
import { forgeSignature, kitReferral, referralHeader } from '../referrals.js';

interface SealShape {
  from?: string;
  to?: string;
  iat?: number;
  /** The digests listed (default: the digest of each envelope, in order). */
  digests?: string[];
}

/** What the seal checks build on, for one target. */
function sealing(ctx: CheckContext) {
  const { target, probe } = ctx;
  const [a] = ctx.countries;
  const envelope = (key: SigningKey = KIT_KEYS.a, from = a, over: Record<string, unknown> = {}) =>
    manual(referralHeader(key), kitReferral(from, target.country, over), key);
  /** A seal signed by hand, so that the kit can make every defect a seal can have. */
  const seal = (envelopes: string[], shape: SealShape = {}, key: SigningKey = KIT_KEYS.a) =>
    manual(
      { alg: 'EdDSA', kid: key.kid, typ: JWS_TYP.seal },
      {
        v: 1,
        id: uuidv7(),
        from: shape.from ?? a,
        to: shape.to ?? target.country,
        iat: shape.iat ?? nowSeconds(),
        envelopes: shape.digests ?? envelopes.map(sha256Digest),
      },
      key,
    );
  const post = (envelopes: string[], sealJws: string, answer: 'each' | 'batch' = 'batch') =>
    deliver(target, JSON.stringify({ envelopes, answer, seal: sealJws }));
  /** Delivers under this seal, asking for a batch, and checks each verdict in order. */
  const sealed = async (envelopes: string[], sealJws: string, expected: string[]) => {
    const out = await post(envelopes, sealJws);
    if (out.status !== 200) return `HTTP ${out.status}: ${out.text.slice(0, 120)}`;
    return probe.batchFor(envelopes, out.receiptBatch, expected);
  };
  return { envelope, seal, post, sealed };
}

const check = (id: string, title: string, run: (ctx: CheckContext) => Promise<string | null>): Check => ({
  id,
  section: '§2.3.2',
  title,
  run,
});

/**
 * A bad seal is ignored: each envelope is verified on its own signature, so the forged one listed in
 * it is refused and the correctly signed ones are accepted (a bad seal never costs a message).
 */
const badSeal = (
  id: string,
  defect: string,
  make: (s: ReturnType<typeof sealing>, envelopes: string[], ctx: CheckContext) => string,
  forger: (ctx: CheckContext) => { key: SigningKey; from: string } = (ctx) => ({ key: KIT_KEYS.a, from: ctx.countries[0] }),
): Check =>
  check(id, `a bad seal (${defect}) vouches for nothing and costs no message (ERR_SIGNATURE_INVALID)`, (ctx) => {
    const s = sealing(ctx);
    const { key, from } = forger(ctx);
    const envelopes = [s.envelope(), forgeSignature(s.envelope(key, from)), s.envelope()];
    return s.sealed(envelopes, make(s, envelopes, ctx), ['accepted', 'ERR_SIGNATURE_INVALID', 'accepted']);
  });

export const sealChecks: Check[] = [
  check(
    'seal-answered-as-unsealed',
    'a sealed delivery is answered exactly as an unsealed one (receipts, a receipt batch, a resend)',
    async (ctx) => {
      const { envelope, seal, post, sealed } = sealing(ctx);
      const each = [envelope(), envelope()];
      const first = await post(each, seal(each), 'each');
      if (first.status !== 200 || !first.receipts) return `HTTP ${first.status}: ${first.text.slice(0, 120)}`;
      if (first.receipts.length !== 2) return `${first.receipts.length} receipts for 2 envelopes`;
      for (const [i, jws] of each.entries()) {
        const problem = await ctx.probe.receiptFor(jws, first.receipts[i], 'accepted');
        if (problem) return `receipt ${i + 1}: ${problem}`;
      }
      // The same bytes again under a new seal: the same receipts (idempotent resend, §5.1).
      const again = await post(each, seal(each), 'each');
      if (again.receipts?.join() !== first.receipts.join()) return 'a resend under a new seal got other receipts';
      const batch = [envelope(), envelope(), envelope()];
      return sealed(batch, seal(batch), ['accepted', 'accepted', 'accepted']);
    },
  ),
  check(
    'seal-any-string',
    'a seal member is part of a well-formed call, whatever it holds (HTTP 200, envelopes judged on their own)',
    (ctx) => {
      const { envelope, sealed } = sealing(ctx);
      return sealed([envelope(), envelope()], 'not.a.seal', ['accepted', 'accepted']);
    },
  ),
  check('seal-unlisted-bytes', 'a seal never vouches for bytes it does not list: a forged signature (ERR_SIGNATURE_INVALID)', (ctx) => {
    const { envelope, seal, sealed } = sealing(ctx);
    const original = envelope();
    const forged = forgeSignature(original);
    const [good1, good2] = [envelope(), envelope()];
    // The seal lists the bytes the sender signed; other bytes arrive in their place.
    return sealed([good1, forged, good2], seal([good1, original, good2]), ['accepted', 'ERR_SIGNATURE_INVALID', 'accepted']);
  }),
  check('seal-other-position', 'a seal never vouches for bytes it lists at another position (ERR_SIGNATURE_INVALID)', (ctx) => {
    const { envelope, seal, sealed } = sealing(ctx);
    const good = envelope();
    const forged = forgeSignature(envelope());
    return sealed([forged, good], seal([good, forged]), ['ERR_SIGNATURE_INVALID', 'accepted']);
  }),
  check('seal-other-key', "a seal never vouches for another key: B's forged envelope listed in A's seal (ERR_SIGNATURE_INVALID)", (ctx) => {
    const { envelope, seal, sealed } = sealing(ctx);
    const good = envelope();
    const forgedByB = forgeSignature(envelope(KIT_KEYS.b, ctx.countries[1]));
    return sealed([good, forgedByB], seal([good, forgedByB]), ['accepted', 'ERR_SIGNATURE_INVALID']);
  }),
  check('seal-short-signature', 'a seal never stands for a signature that is not 64 bytes (ERR_SIGNATURE_INVALID)', (ctx) => {
    const { envelope, seal, sealed } = sealing(ctx);
    const good = envelope();
    const truncated = good.slice(0, good.lastIndexOf('.') + 41); // 30 bytes, not 64
    const other = envelope();
    return sealed([other, truncated], seal([other, truncated]), ['accepted', 'ERR_SIGNATURE_INVALID']);
  }),
  check(
    'seal-signature-step-only',
    'a seal stands for the signature step only: every other check still runs (ERR_EXPIRED, ERR_WRONG_RECIPIENT)',
    (ctx) => {
      const { envelope, seal, sealed } = sealing(ctx);
      const [a, b] = ctx.countries;
      const now = nowSeconds();
      const expired = envelope(KIT_KEYS.a, a, { iat: now - 40 * 86_400 + 600, exp: now - 86_400 });
      const elsewhere = manual(referralHeader(KIT_KEYS.a), kitReferral(a, b), KIT_KEYS.a);
      const good = envelope();
      return sealed([expired, elsewhere, good], seal([expired, elsewhere, good]), ['ERR_EXPIRED', 'ERR_WRONG_RECIPIENT', 'accepted']);
    },
  ),
  badSeal('seal-bad-signature', 'its own signature broken', (s, e) => forgeSignature(s.seal(e))),
  badSeal(
    'seal-bad-key',
    "signed with another country's key",
    (s, e) => s.seal(e, {}, KIT_KEYS.b),
    (ctx) => ({ key: KIT_KEYS.b, from: ctx.countries[1] }),
  ),
  badSeal('seal-bad-count', 'one digest more than envelopes', (s, e) => s.seal(e, { digests: [...e, s.envelope()].map(sha256Digest) })),
  badSeal('seal-bad-recipient', 'addressed to another party', (s, e, ctx) => s.seal(e, { to: ctx.countries[1] })),
  badSeal('seal-bad-stale', 'older than the clock-skew allowance', (s, e) => s.seal(e, { iat: nowSeconds() - 3600 })),
];
