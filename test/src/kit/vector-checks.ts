/**
 * The protocol's test vectors, live: every message vector a national node can be sent is re-created
 * with the kit's keys at the current time (vector-replay.ts), checked offline against the kit's own
 * directory (so that the kit never sends a case that no longer means what the vector means), then
 * delivered; the target must answer the vector's verdict and code in a signed receipt. Vectors that
 * cannot be driven from outside are listed as skipped, with the reason.
 */
import { JWS_TYP, sha256Digest, verify } from '@firstlight/protocol';
import { fakeCountries } from './keys.js';
import { deliver, manual, nowSeconds, type Probe } from './probe.js';
import { loadVectors, recreate, type Vector, type VectorSet, worldFor } from './vector-replay.js';

/** Why a vector cannot be replayed against a national node over federation.deliver, or null. */
export function unreplayable(v: Vector): string | null {
  if (v.kind === 'directory') return null;
  if (v.kind === 'receipt')
    return 'receipts only travel as answers to a delivery: no federation endpoint takes one, so how a node verifies receipts cannot be driven from outside';
  if (v.context.recipientRole === 'liaison')
    return "the liaison office's view of a copy: the target is a national node (the kit itself plays the liaison office)";
  if (v.kind === 'status' && v.expect.ok)
    return 'a node takes a status only about a referral it sent to the signer (PROTOCOL.md §2.2), and the kit cannot make the target send it one';
  let typ: unknown;
  try {
    typ = (JSON.parse(Buffer.from(v.jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { typ?: unknown }).typ;
  } catch {
    typ = undefined;
  }
  if ((typ === JWS_TYP.referral || typ === JWS_TYP.status) && typ !== JWS_TYP[v.kind])
    return `federation.deliver takes referrals and statuses alike and tells them apart by typ: a ${typ} envelope is checked as one, so "the wrong typ for this delivery" cannot arise over HTTP`;
  return null;
}

export const vectorCheckName = (v: Vector) => `vector ${v.name} (${v.expect.ok ? 'accepted' : v.expect.code})`;

export async function runVectorChecks(probe: Probe, set: VectorSet = loadVectors()): Promise<void> {
  const { target } = probe;
  const fake = fakeCountries(target.country);
  for (const v of set.vectors) {
    if (v.kind === 'directory') continue;
    const name = vectorCheckName(v);
    const why = unreplayable(v);
    if (why) {
      probe.skip(name, why);
      continue;
    }
    const world = worldFor(set, v, target.country, fake, nowSeconds());
    const { jws, key } = recreate(v.jws, world);
    const expected = v.expect.ok ? 'accepted' : v.expect.code;

    // What the target must already hold: the same bytes (a resend), or the same id with other bytes (a replay).
    const primers: string[] = [];
    const seen = new Map<string, string>();
    for (const s of v.context.seen ?? []) {
      const id = world.ids.get(s.id);
      if (!id) continue;
      if (s.digest === sha256Digest(v.jws)) {
        primers.push(jws);
        seen.set(id, sha256Digest(jws));
        continue;
      }
      const [h, p] = jws.split('.');
      if (!key || !h || !p) continue;
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { iat: number };
      const other = manual(JSON.parse(Buffer.from(h, 'base64url').toString('utf8')), { ...payload, iat: payload.iat - 1 }, key);
      primers.push(other);
      seen.set(id, sha256Digest(other));
    }

    const local = await verify(jws, {
      type: v.kind,
      keys: probe.trust,
      recipient: target.country,
      recipientRole: 'national',
      now: nowSeconds(),
      skewSeconds: 300,
      isReplay: (id, digest) => seen.has(id) && seen.get(id) !== digest,
    });
    const got = local.ok ? 'accepted' : local.error.code;
    if (got !== expected) {
      probe.skip(name, `could not be re-created with the kit's keys and clock (offline it gives ${got}): not sent`);
      continue;
    }
    await probe.check(name, async () => {
      for (const primer of primers) {
        const out = await deliver(target, JSON.stringify({ envelopes: [primer] }));
        const problem = await probe.receiptFor(primer, out.receipts?.[0], 'accepted');
        if (problem) return `the first delivery (to set up the case): ${problem}`;
      }
      const out = await deliver(target, JSON.stringify({ envelopes: [jws] }));
      if (out.status !== 200) return `HTTP ${out.status}: ${out.text.slice(0, 120)}`;
      return probe.receiptFor(jws, out.receipts?.[0], expected);
    });
  }
}
