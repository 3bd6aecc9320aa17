/**
 * PROTOCOL.md §7, the test vectors, live: one check per message vector a national node can be sent,
 * each citing the section whose rule it tests (the numbered check of §3 that must produce its code, or
 * the message's own section when it must be accepted). The vector is re-created with the kit's keys at
 * the current time (vector-replay.ts), checked offline against the kit's own directory (so that the kit
 * never sends a case that no longer means what the vector means), then delivered, after whatever it
 * needs the target to hold already; the target must answer the vector's verdict and code in a signed
 * receipt. Vectors that cannot be driven from outside are skipped, with the reason. Directory vectors
 * live with the directory checks (s3-1-directory.ts).
 */
import { JWS_TYP, sha256Digest, verify } from '@firstlight/protocol';
import { type Check, type CheckContext, type CheckOutcome, skip } from '../catalogue.js';
import { deliver, manual, nowSeconds } from '../probe.js';
import { recreate, type Vector, type VectorSet, worldFor } from '../vector-replay.js';

/** The numbered check of §3 (or the section) that gives each code a message vector can expect. */
const SECTION_OF_CODE: Record<string, string> = {
  ERR_JWS_TOO_LARGE: '§3 check 1',
  ERR_JWS_MALFORMED: '§3 check 2',
  ERR_JWS_HEADER_FORBIDDEN: '§3 check 3',
  ERR_JWS_ALG: '§3 check 3',
  ERR_JWS_TYP: '§3 check 3',
  ERR_JWS_KID: '§3 check 3',
  ERR_KEY_UNKNOWN: '§3 check 4',
  ERR_KEY_REVOKED: '§3 check 4',
  ERR_SIGNATURE_INVALID: '§3 check 5',
  ERR_PAYLOAD_MALFORMED: '§3 check 6',
  ERR_VERSION_UNSUPPORTED: '§3 check 6',
  ERR_SCHEMA: '§3 check 6',
  ERR_IP_UNROUTABLE: '§2.5',
  ERR_KEY_NOT_OWNER: '§3 check 7',
  ERR_KEY_NOT_VALID_AT_IAT: '§3 check 8',
  ERR_WRONG_RECIPIENT: '§3 check 9',
  ERR_EXPIRED: '§3 check 10',
  ERR_IAT_FUTURE: '§3 check 11',
  ERR_REPLAY: '§3 check 12',
};
const SECTION_OF_KIND: Record<string, string> = { referral: '§2.1', status: '§2.2', receipt: '§2.3' };

/** Where the rule a message vector tests is written. */
export function vectorSection(v: Vector): string {
  if (!v.expect.ok) return SECTION_OF_CODE[v.expect.code] ?? '§4';
  // Accepted after earlier traffic (the idempotent resend): the replay rule's second half.
  if ((v.context.seen ?? []).length > 0) return '§3 check 12';
  return SECTION_OF_KIND[v.kind] ?? '§2';
}

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

async function replay(ctx: CheckContext, set: VectorSet, v: Vector): Promise<CheckOutcome> {
  const { target, probe } = ctx;
  const world = worldFor(set, v, target.country, ctx.countries, nowSeconds());
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
    type: v.kind === 'directory' ? 'referral' : v.kind,
    keys: probe.trust,
    recipient: target.country,
    recipientRole: 'national',
    now: nowSeconds(),
    skewSeconds: 300,
    isReplay: (id, digest) => seen.has(id) && seen.get(id) !== digest,
  });
  const got = local.ok ? 'accepted' : local.error.code;
  if (got !== expected) return skip(`could not be re-created with the kit's keys and clock (offline it gives ${got}): not sent`);
  for (const primer of primers) {
    const out = await deliver(target, JSON.stringify({ envelopes: [primer] }));
    const problem = await probe.receiptFor(primer, out.receipts?.[0], 'accepted');
    if (problem) return `the first delivery (to set up the case): ${problem}`;
  }
  const out = await deliver(target, JSON.stringify({ envelopes: [jws] }));
  if (out.status !== 200) return `HTTP ${out.status}: ${out.text.slice(0, 120)}`;
  return probe.receiptFor(jws, out.receipts?.[0], expected);
}

/** One check per message vector of the set, in the file's order. */
export function vectorChecks(set: VectorSet): Check[] {
  return set.vectors
    .filter((v) => v.kind !== 'directory')
    .map((v) => ({
      id: `vector-${v.name}`,
      section: vectorSection(v),
      title: `vector ${v.name}: ${v.description} (${v.expect.ok ? 'accepted' : v.expect.code})`,
      run: async (ctx: CheckContext) => {
        const why = unreplayable(v);
        return why ? skip(why) : replay(ctx, set, v);
      },
    }));
}
