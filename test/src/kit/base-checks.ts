/**
 * The kit's hand-written behavioural checks: health and directory adoption, acceptance, idempotence,
 * replay, the classic JWS attacks, key and context refusals, batches, and bad HTTP input. Each sends
 * envelopes the kit signs itself, at the current time, and checks the target's signed receipt.
 */
import { createHash, createHmac } from 'node:crypto';
import { encodeBase64url, JWS_TYP, type SigningKey, uuidv7 } from '@firstlight/protocol';
import { fakeCountries, KIT_KEYS } from './keys.js';
import { deliver, manual, nowSeconds, type Probe } from './probe.js';

let ipCounter = 0;

/** A valid referral from kit country A to the target, fresh id and evidence every call. */
export function kitReferral(from: string, to: string, over: Record<string, unknown> = {}) {
  const now = nowSeconds();
  ipCounter++;
  return {
    v: 1,
    id: uuidv7(),
    from,
    to,
    iat: now,
    exp: now + 30 * 86_400,
    ip: `43.245.${120 + (ipCounter % 4)}.${(ipCounter % 250) + 1}`,
    seenAt: '2015-06-01T10:00:00Z',
    evidence: [`sha256:${createHash('sha256').update(`kit-${ipCounter}-${Math.random()}`).digest('hex')}`],
    action: 'locate',
    urgency: 'urgent',
    operation: 'conformance',
    ...over,
  };
}

export const referralHeader = (key: SigningKey, over: Record<string, unknown> = {}) => ({
  alg: 'EdDSA',
  kid: key.kid,
  typ: JWS_TYP.referral,
  ...over,
});

export async function runBaseChecks(probe: Probe): Promise<void> {
  const { target, directory } = probe;
  const [a, b] = fakeCountries(target.country);
  const now = nowSeconds;
  const referral = (over: Record<string, unknown> = {}) => kitReferral(a, target.country, over);
  const header = referralHeader;
  const signed = (over: Record<string, unknown> = {}, key = KIT_KEYS.a, h: Record<string, unknown> = {}) =>
    manual(header(key, h), referral(over), key);
  const single = probe.single.bind(probe);
  const check = probe.check.bind(probe);

  await check('health answers with the target country', async () => {
    const res = await fetch(`${target.url}/trpc/federation.health`);
    const body = (await res.json()) as { result?: { data?: { country?: string; directorySerial?: number } } };
    if (body.result?.data?.country !== target.country) return `health says ${JSON.stringify(body).slice(0, 120)}`;
    return body.result.data.directorySerial === directory.serial
      ? null
      : `directory serial ${body.result.data.directorySerial}, expected ${directory.serial}`;
  });
  const validMessage = referral();
  const valid = manual(header(KIT_KEYS.a), validMessage, KIT_KEYS.a);
  await single('a valid referral is accepted with a signed receipt', valid, 'accepted');
  await check('the same bytes again get the same receipt (idempotent)', async () => {
    const first = await deliver(target, JSON.stringify({ envelopes: [valid] }));
    const second = await deliver(target, JSON.stringify({ envelopes: [valid] }));
    return first.receipts?.[0] && first.receipts[0] === second.receipts?.[0] ? null : 'a different receipt came back';
  });
  await check('the same id with other bytes is a replay (ERR_REPLAY)', async () => {
    const original = referral();
    const first = manual(header(KIT_KEYS.a), original, KIT_KEYS.a);
    await deliver(target, JSON.stringify({ envelopes: [first] }));
    const other = manual(header(KIT_KEYS.a), { ...original, action: 'arrest' }, KIT_KEYS.a);
    const out = await deliver(target, JSON.stringify({ envelopes: [other] }));
    return probe.receiptFor(other, out.receipts?.[0], 'ERR_REPLAY');
  });
  await check(
    "receipts are signed by the target's directory key and bind the exact bytes, id and sender (and ERR_JWS_MALFORMED to nobody)",
    async () => {
      const message = referral();
      const jws = manual(header(KIT_KEYS.a), message, KIT_KEYS.a);
      const garbage = `${jws.slice(0, 10)}.${jws.slice(11)}`;
      const out = await deliver(target, JSON.stringify({ envelopes: [jws, garbage] }));
      if (out.status !== 200 || !out.receipts) return `HTTP ${out.status}`;
      const keyKid = directory.members.find((m) => m.country === target.country)?.keys[0]?.kid;
      const kid = (JSON.parse(Buffer.from(out.receipts[0]?.split('.')[0] ?? '', 'base64url').toString() || '{}') as { kid?: string }).kid;
      if (kid !== keyKid) return `the receipt is signed under kid ${kid}, not the target's directory key ${keyKid}`;
      return (
        (await probe.receiptFor(jws, out.receipts[0], 'accepted', { id: message.id, to: a })) ??
        (await probe.receiptFor(garbage, out.receipts[1], 'ERR_JWS_MALFORMED', { id: null, to: null }))
      );
    },
  );
  const [vh, , vs] = valid.split('.');
  await single(
    'a tampered payload (ERR_SIGNATURE_INVALID)',
    `${vh}.${encodeBase64url(JSON.stringify({ ...validMessage, action: 'arrest' }))}.${vs}`,
    'ERR_SIGNATURE_INVALID',
  );
  await single(
    'a signature by another key under this kid (ERR_SIGNATURE_INVALID)',
    manual(header(KIT_KEYS.a), referral(), KIT_KEYS.b),
    'ERR_SIGNATURE_INVALID',
  );
  await single(
    'alg none (ERR_JWS_ALG)',
    `${encodeBase64url(JSON.stringify(header(KIT_KEYS.a, { alg: 'none' })))}.${encodeBase64url(JSON.stringify(referral()))}.`,
    'ERR_JWS_ALG',
  );
  {
    const h = encodeBase64url(JSON.stringify(header(KIT_KEYS.a, { alg: 'HS256' })));
    const p = encodeBase64url(JSON.stringify(referral()));
    const mac = createHmac('sha256', JSON.stringify(KIT_KEYS.a.publicJwk)).update(`${h}.${p}`).digest('base64url');
    await single('HS256 with the public key as secret (ERR_JWS_ALG)', `${h}.${p}.${mac}`, 'ERR_JWS_ALG');
  }
  await single(
    'a header-embedded jwk (ERR_JWS_HEADER_FORBIDDEN)',
    signed({}, KIT_KEYS.outsider, { jwk: KIT_KEYS.outsider.publicJwk }),
    'ERR_JWS_HEADER_FORBIDDEN',
  );
  await single('a key in no directory (ERR_KEY_UNKNOWN)', signed({}, KIT_KEYS.outsider), 'ERR_KEY_UNKNOWN');
  await single('a revoked key (ERR_KEY_REVOKED)', signed({}, KIT_KEYS.revoked), 'ERR_KEY_REVOKED');
  await single("another country's key (ERR_KEY_NOT_OWNER)", signed({}, KIT_KEYS.b), 'ERR_KEY_NOT_OWNER');
  await single('a referral addressed to someone else (ERR_WRONG_RECIPIENT)', signed({ to: b }), 'ERR_WRONG_RECIPIENT');
  await single('an expired referral (ERR_EXPIRED)', signed({ iat: now() - 40 * 86_400 + 600, exp: now() - 86_400 }), 'ERR_EXPIRED');
  await single('iat beyond the clock-skew allowance (ERR_IAT_FUTURE)', signed({ iat: now() + 3600 }), 'ERR_IAT_FUTURE');
  await single('a private suspect IP (ERR_IP_UNROUTABLE)', signed({ ip: '192.168.1.20' }), 'ERR_IP_UNROUTABLE');
  await single('a CGNAT suspect IP (ERR_IP_UNROUTABLE)', signed({ ip: '100.64.3.4' }), 'ERR_IP_UNROUTABLE');
  await single('a personal field in the payload (ERR_SCHEMA)', signed({ victimName: 'Somchai' }), 'ERR_SCHEMA');
  await single('an unknown country (ERR_SCHEMA)', signed({ from: 'XX' }, KIT_KEYS.a), 'ERR_SCHEMA');
  await single(
    'duplicate JSON keys (ERR_PAYLOAD_MALFORMED)',
    manual(header(KIT_KEYS.a), null, KIT_KEYS.a, JSON.stringify(referral()).replace('"from":', '"from":"ZZ","from":')),
    'ERR_PAYLOAD_MALFORMED',
  );
  {
    // The last character of a 64-byte signature carries 4 unused bits: setting one gives the same bytes as other text.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const reencoded = `${valid.slice(0, -1)}${alphabet[alphabet.indexOf(valid.at(-1) as string) + 1]}`;
    await single('a re-encoded (non-canonical base64url) signature (ERR_JWS_MALFORMED)', reencoded, 'ERR_JWS_MALFORMED');
  }
  await single('an oversized JWS (ERR_JWS_TOO_LARGE)', `${vh}.${'A'.repeat(17_000)}.${vs}`, 'ERR_JWS_TOO_LARGE');

  await check('one bad envelope never spoils a batch; receipts in order', async () => {
    const good1 = signed();
    const bad = `${good1.slice(0, 20)}x${good1.slice(21)}`;
    const good2 = signed();
    const out = await deliver(target, JSON.stringify({ envelopes: [good1, bad, 42, good2] }));
    if (out.status !== 200 || !out.receipts) return `HTTP ${out.status}`;
    if (out.receipts.length !== 4) return `${out.receipts.length} receipts for 4 envelopes`;
    return (await probe.receiptFor(good1, out.receipts[0], 'accepted')) ?? (await probe.receiptFor(good2, out.receipts[3], 'accepted'));
  });

  await check(
    'asked for a batch: one receipt batch, verdicts in order, each bound to its bytes (garbage in place: ERR_JWS_MALFORMED)',
    async () => {
      const good1 = signed();
      const good2 = signed();
      const envelopes = [good1, 'not.a.jws', good2];
      const out = await deliver(target, JSON.stringify({ envelopes, answer: 'batch' }));
      if (out.status !== 200) return `HTTP ${out.status}: ${out.text.slice(0, 120)}`;
      const first = await probe.batchFor(envelopes, out.receiptBatch, ['accepted', 'ERR_JWS_MALFORMED', 'accepted']);
      if (first) return first;
      // The same bytes again: accepted again (a new batch may answer them).
      const again = await deliver(target, JSON.stringify({ envelopes: [good2, good1], answer: 'batch' }));
      return probe.batchFor([good2, good1], again.receiptBatch, ['accepted', 'accepted']);
    },
  );

  const badInput = (name: string, body: string) =>
    check(name, async () => {
      const out = await deliver(target, body);
      if (out.status >= 500) return `HTTP ${out.status}: a client's mistake must not be a server error`;
      if (out.status < 400) return `HTTP ${out.status}: expected a 4xx refusal`;
      if (/\bat [\w.<>]+ \(|node:internal|\.ts:\d+/.test(out.text)) return 'the answer contains a stack trace';
      try {
        const code = (JSON.parse(out.text) as { error?: { data?: { firstlightCode?: string } } }).error?.data?.firstlightCode;
        return code ? null : 'no stable error code (error.data.firstlightCode)';
      } catch {
        return 'the answer is not JSON';
      }
    });
  await badInput('bad input: not JSON → 4xx with a code, no stack trace', '{"envelopes": [');
  await badInput('bad input: no envelopes → 4xx with a code', '{}');
  await badInput('bad input: an empty batch → 4xx with a code', '{"envelopes":[]}');
  await badInput(
    'bad input: more than 500 envelopes → 4xx with a code',
    JSON.stringify({ envelopes: Array.from({ length: 501 }, () => 'x') }),
  );
}
