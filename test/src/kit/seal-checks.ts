/**
 * The kit's delivery-seal checks (PROTOCOL.md §2.3.2, §5.1): what every target must do with a `seal`
 * member, whether it uses seals or ignores them all (a recipient MAY). A sealed delivery is answered
 * as an unsealed one; a seal never vouches for bytes it does not list at their position, for another
 * key's envelopes, for anything but the signature step, nor at all when it fails a check of its own.
 * These checks must never require a forged envelope to be accepted: a recipient that ignores seals
 * refuses every one of them, and it is conformant.
 */
import { JWS_TYP, type SigningKey, sha256Digest, uuidv7 } from '@firstlight/protocol';
import { kitReferral, referralHeader } from './base-checks.js';
import { fakeCountries, KIT_KEYS } from './keys.js';
import { deliver, manual, nowSeconds, type Probe } from './probe.js';

/** The same envelope but for one bit of its signature (still 64 bytes, still canonical base64url). */
export function forgeSignature(jws: string): string {
  const dot = jws.lastIndexOf('.') + 1;
  const signature = Buffer.from(jws.slice(dot), 'base64url');
  signature[10] = (signature[10] ?? 0) ^ 1;
  return `${jws.slice(0, dot)}${signature.toString('base64url')}`;
}

interface SealShape {
  from?: string;
  to?: string;
  iat?: number;
  /** The digests listed (default: the digest of each envelope, in order). */
  digests?: string[];
}

export async function runSealChecks(probe: Probe): Promise<void> {
  const { target } = probe;
  const [a, b] = fakeCountries(target.country);
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
  const check = probe.check.bind(probe);

  await check('a sealed delivery is answered exactly as an unsealed one (receipts, a receipt batch, a resend)', async () => {
    const each = [envelope(), envelope()];
    const first = await post(each, seal(each), 'each');
    if (first.status !== 200 || !first.receipts) return `HTTP ${first.status}: ${first.text.slice(0, 120)}`;
    if (first.receipts.length !== 2) return `${first.receipts.length} receipts for 2 envelopes`;
    for (const [i, jws] of each.entries()) {
      const problem = await probe.receiptFor(jws, first.receipts[i], 'accepted');
      if (problem) return `receipt ${i + 1}: ${problem}`;
    }
    // The same bytes again under a new seal: the same receipts (idempotent resend, §5.1).
    const again = await post(each, seal(each), 'each');
    if (again.receipts?.join() !== first.receipts.join()) return 'a resend under a new seal got other receipts';
    const batch = [envelope(), envelope(), envelope()];
    return sealed(batch, seal(batch), ['accepted', 'accepted', 'accepted']);
  });

  await check('a seal member is part of a well-formed call, whatever it holds (HTTP 200, envelopes judged on their own)', async () => {
    const envelopes = [envelope(), envelope()];
    return sealed(envelopes, 'not.a.seal', ['accepted', 'accepted']);
  });

  {
    const original = envelope();
    const forged = forgeSignature(original);
    const [good1, good2] = [envelope(), envelope()];
    await check('a seal never vouches for bytes it does not list: a forged signature (ERR_SIGNATURE_INVALID)', () =>
      // The seal lists the bytes the sender signed; other bytes arrive in their place.
      sealed([good1, forged, good2], seal([good1, original, good2]), ['accepted', 'ERR_SIGNATURE_INVALID', 'accepted']),
    );
  }
  {
    const good = envelope();
    const forged = forgeSignature(envelope());
    await check('a seal never vouches for bytes it lists at another position (ERR_SIGNATURE_INVALID)', () =>
      sealed([forged, good], seal([good, forged]), ['ERR_SIGNATURE_INVALID', 'accepted']),
    );
  }
  {
    const good = envelope();
    const forgedByB = forgeSignature(envelope(KIT_KEYS.b, b));
    await check("a seal never vouches for another key: B's forged envelope listed in A's seal (ERR_SIGNATURE_INVALID)", () =>
      sealed([good, forgedByB], seal([good, forgedByB]), ['accepted', 'ERR_SIGNATURE_INVALID']),
    );
  }
  {
    const good = envelope();
    const truncated = good.slice(0, good.lastIndexOf('.') + 41); // 30 bytes, not 64
    const other = envelope();
    await check('a seal never stands for a signature that is not 64 bytes (ERR_SIGNATURE_INVALID)', () =>
      sealed([other, truncated], seal([other, truncated]), ['accepted', 'ERR_SIGNATURE_INVALID']),
    );
  }
  {
    const now = nowSeconds();
    const expired = envelope(KIT_KEYS.a, a, { iat: now - 40 * 86_400 + 600, exp: now - 86_400 });
    const elsewhere = manual(referralHeader(KIT_KEYS.a), kitReferral(a, b), KIT_KEYS.a);
    const good = envelope();
    await check('a seal stands for the signature step only: every other check still runs (ERR_EXPIRED, ERR_WRONG_RECIPIENT)', () =>
      sealed([expired, elsewhere, good], seal([expired, elsewhere, good]), ['ERR_EXPIRED', 'ERR_WRONG_RECIPIENT', 'accepted']),
    );
  }

  // A bad seal is ignored: each envelope is verified on its own signature, so the forged one listed in
  // it is refused and the correctly signed ones are accepted (a bad seal never costs a message).
  const badSeal = (
    name: string,
    make: (envelopes: string[]) => string,
    forger: { key: SigningKey; from: string } = { key: KIT_KEYS.a, from: a },
  ) =>
    check(`a bad seal (${name}) vouches for nothing and costs no message (ERR_SIGNATURE_INVALID)`, () => {
      const envelopes = [envelope(), forgeSignature(envelope(forger.key, forger.from)), envelope()];
      return sealed(envelopes, make(envelopes), ['accepted', 'ERR_SIGNATURE_INVALID', 'accepted']);
    });
  await badSeal('its own signature broken', (e) => forgeSignature(seal(e)));
  await badSeal("signed with another country's key", (e) => seal(e, {}, KIT_KEYS.b), { key: KIT_KEYS.b, from: b });
  await badSeal('one digest more than envelopes', (e) => seal(e, { digests: [...e, envelope()].map(sha256Digest) }));
  await badSeal('addressed to another party', (e) => seal(e, { to: b }));
  await badSeal('older than the clock-skew allowance', (e) => seal(e, { iat: nowSeconds() - 3600 }));
}
