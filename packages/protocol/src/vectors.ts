/**
 * Test vectors for implementers: deterministic (fixed seeds, fixed clock, Ed25519 is deterministic),
 * language-neutral JSON. `buildVectors()` both produces the cases and checks each against this
 * implementation, so a vector can never disagree with the code that ships it.
 * Format: docs/PROTOCOL.md, "Test vectors".
 */
import { createHmac, sign as edSign } from 'node:crypto';
import { signDirectory, verifyDirectory } from './directory.js';
import { encodeBase64url, sha256Digest } from './encoding.js';
import type { ErrorCode } from './errors.js';
import { type SigningKey, signingKeyFromSeed } from './keys.js';
import type { WireMessageType } from './kinds.js';
import { JWS_TYP, LIAISON_PARTY } from './messages/common.js';
import type { Directory } from './messages/directory.js';
import { createTrustStore } from './trust-store.js';
import { verify } from './verify.js';

export const VECTOR_NOW = 1_750_000_000;
const DAY = 86_400;

export interface MessageVector {
  name: string;
  description: string;
  kind: WireMessageType;
  jws: string;
  context: {
    directory: string;
    recipient: string;
    recipientRole: 'national' | 'liaison';
    now: number;
    skewSeconds: number;
    /** Messages already received: id → digest of the bytes received. */
    seen: Array<{ id: string; digest: string }>;
  };
  expect: { ok: true; message: unknown } | { ok: false; code: ErrorCode };
}

export interface DirectoryVector {
  name: string;
  description: string;
  kind: 'directory';
  jws: string;
  context: { anchor: string; now: number; heldSerial: number | null; graceSeconds: number; skewSeconds: number };
  expect: { ok: true; serial: number; stale: boolean } | { ok: false; code: ErrorCode };
}

export interface VectorFile {
  protocol: 'firstlight';
  version: 1;
  notice: string;
  keys: Record<string, { seedHex: string; kid: string; publicJwk: unknown; owner: string }>;
  directories: Record<string, { jws: string; anchor: string }>;
  vectors: Array<MessageVector | DirectoryVector>;
}

const seed = (n: number) => new Uint8Array(32).fill(n);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const enc = (s: string) => new TextEncoder().encode(s);
const b64json = (v: unknown) => encodeBase64url(enc(JSON.stringify(v)));

/** Deterministic UUIDv7 for vectors: time from `ms`, the rest from `n`. */
function vid(ms: number, n: number): string {
  const h = ms.toString(16).padStart(12, '0');
  const r = n.toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${r.slice(0, 3)}-8${r.slice(3, 6)}-${r.slice(0, 12).padStart(12, '0')}`;
}

export async function buildVectors(): Promise<VectorFile> {
  const keys = {
    authority: signingKeyFromSeed(seed(0xa0)),
    liaison: signingKeyFromSeed(seed(0xa1)),
    th: signingKeyFromSeed(seed(0x01)),
    kh: signingKeyFromSeed(seed(0x02)),
    vn: signingKeyFromSeed(seed(0x03)),
    thOld: signingKeyFromSeed(seed(0x04)),
    outsider: signingKeyFromSeed(seed(0x05)),
    revoked: signingKeyFromSeed(seed(0x06)),
  };
  const owners: Record<keyof typeof keys, string> = {
    authority: 'authority',
    liaison: LIAISON_PARTY,
    th: 'TH',
    kh: 'KH',
    vn: 'VN',
    thOld: 'TH',
    outsider: 'none (not in any directory)',
    revoked: 'VN (revoked)',
  };
  const member = (country: string, k: SigningKey[], nbf = VECTOR_NOW - 30 * DAY) => ({
    country,
    name: country,
    endpoint: `https://${country.toLowerCase()}.firstlight.example`,
    role: 'national' as const,
    keys: k.map((key) => ({ kid: key.kid, jwk: key.publicJwk, nbf, exp: VECTOR_NOW + 365 * DAY })),
  });
  const directory: Directory = {
    v: 1,
    serial: 7,
    issuedAt: VECTOR_NOW - DAY,
    expiresAt: VECTOR_NOW + 29 * DAY,
    authority: keys.authority.publicJwk,
    members: [
      {
        country: LIAISON_PARTY,
        name: 'Liaison office',
        endpoint: 'https://liaison.firstlight.example',
        role: 'liaison',
        keys: [{ kid: keys.liaison.kid, jwk: keys.liaison.publicJwk, nbf: VECTOR_NOW - 30 * DAY, exp: VECTOR_NOW + 365 * DAY }],
      },
      member('TH', [keys.th]),
      member('KH', [keys.kh]),
      member('VN', [keys.vn, keys.revoked]),
      // thOld only became valid 10 days ago: a message dated before that is refused.
      { ...member('MY', [keys.thOld], VECTOR_NOW - 10 * DAY), country: 'MY' },
    ],
    revoked: [{ kid: keys.revoked.kid, at: VECTOR_NOW - 2 * DAY, reason: 'laptop seized' }],
    operations: [
      { id: 'first-light-2015', name: 'First Light 2015', start: '2015-06-01', end: '2015-12-31', participants: ['TH', 'KH', 'VN'] },
    ],
  };
  const directoryJws = await signDirectory(directory, keys.authority);
  const trust = createTrustStore(directory);

  const referral = (over: Record<string, unknown> = {}) => ({
    v: 1,
    id: vid(VECTOR_NOW * 1000, 1),
    from: 'TH',
    to: 'KH',
    iat: VECTOR_NOW - 60,
    exp: VECTOR_NOW + 30 * DAY,
    ip: '43.245.120.7',
    seenAt: '2015-06-01T10:00:00Z',
    evidence: [`sha256:${'ab'.repeat(32)}`],
    action: 'locate',
    urgency: 'urgent',
    operation: 'first-light-2015',
    ...over,
  });
  const status = (over: Record<string, unknown> = {}) => ({
    v: 1,
    id: vid(VECTOR_NOW * 1000, 2),
    from: 'KH',
    to: 'TH',
    iat: VECTOR_NOW - 30,
    referral: vid(VECTOR_NOW * 1000, 1),
    state: 'action_taken',
    outcome: { suspectsIdentified: 12, arrests: 9, premisesSearched: 1, callCentresDismantled: 1 },
    ...over,
  });
  const receipt = (over: Record<string, unknown> = {}) => ({
    v: 1,
    id: vid(VECTOR_NOW * 1000, 3),
    from: 'KH',
    to: 'TH',
    iat: VECTOR_NOW - 20,
    ref: { id: vid(VECTOR_NOW * 1000, 1), digest: `sha256:${'cd'.repeat(32)}` },
    verdict: 'accepted',
    ...over,
  });

  // Signed by hand (RFC 7515 compact serialization over node:crypto Ed25519), so that vectors can carry
  // headers a JOSE library would refuse to produce.
  const manual = async (header: Record<string, unknown>, payloadText: string, key: SigningKey) => {
    const input = `${b64json(header)}.${encodeBase64url(enc(payloadText))}`;
    return `${input}.${encodeBase64url(edSign(null, enc(input), key.privateKey))}`;
  };
  const sign = (type: WireMessageType, payload: unknown, key: SigningKey = keys.th, extra: Record<string, unknown> = {}) =>
    manual({ alg: 'EdDSA', kid: key.kid, typ: JWS_TYP[type], ...extra }, JSON.stringify(payload), key);
  const signRaw = (typ: string, payloadText: string, key: SigningKey) => manual({ alg: 'EdDSA', kid: key.kid, typ }, payloadText, key);
  const withHeader = async (header: Record<string, unknown>, payload = referral(), key = keys.th) => {
    const signed = await sign('referral', payload, key);
    const [, p, s] = signed.split('.');
    return `${b64json(header)}.${p}.${s}`;
  };
  const baseHeader = { alg: 'EdDSA', kid: keys.th.kid, typ: JWS_TYP.referral };

  const valid = await sign('referral', referral());
  const [vh, vp, vs] = valid.split('.') as [string, string, string];

  const vectors: Array<MessageVector | DirectoryVector> = [];
  const ctx = (over: Partial<MessageVector['context']> = {}): MessageVector['context'] => ({
    directory: 'main',
    recipient: 'KH',
    recipientRole: 'national',
    now: VECTOR_NOW,
    skewSeconds: 300,
    seen: [],
    ...over,
  });
  const ok = (name: string, description: string, kind: WireMessageType, jws: string, message: unknown, c = ctx()) =>
    vectors.push({ name, description, kind, jws, context: c, expect: { ok: true, message } });
  const bad = (name: string, description: string, kind: WireMessageType, jws: string, code: ErrorCode, c = ctx()) =>
    vectors.push({ name, description, kind, jws, context: c, expect: { ok: false, code } });

  // Valid messages.
  ok('valid-referral', 'a referral from TH to KH, verified by KH', 'referral', valid, referral());
  const v6 = referral({ ip: '2400:cb00:2048:1::c629:d7a2', port: 51_234 });
  ok(
    'valid-referral-ipv6-port',
    'IPv6 suspect address in canonical RFC 5952 form, with a source port (CGNAT)',
    'referral',
    await sign('referral', v6),
    v6,
  );
  ok(
    'valid-referral-liaison-copy',
    'the liaison office accepts a copy addressed to another member',
    'referral',
    valid,
    referral(),
    ctx({ recipient: LIAISON_PARTY, recipientRole: 'liaison' }),
  );
  ok(
    'valid-referral-resend',
    'the same id with the same bytes again is not a replay (idempotent resend)',
    'referral',
    valid,
    referral(),
    ctx({ seen: [{ id: referral().id, digest: sha256Digest(valid) }] }),
  );
  const skewed = referral({ iat: VECTOR_NOW + 250 });
  ok('valid-referral-skew', 'iat 250 s ahead, within the 300 s allowance', 'referral', await sign('referral', skewed), skewed);
  ok(
    'valid-status',
    'an action_taken status from KH back to TH with outcome counts',
    'status',
    await sign('status', status(), keys.kh),
    status(),
    ctx({ recipient: 'TH' }),
  );
  const declined = status({ state: 'declined', reason: 'data_retention_expired', outcome: undefined });
  delete (declined as Record<string, unknown>).outcome;
  ok(
    'valid-status-declined',
    'a declined status with its reason code',
    'status',
    await sign('status', declined, keys.kh),
    declined,
    ctx({ recipient: 'TH' }),
  );
  ok(
    'valid-receipt',
    'an accepting receipt from KH to TH',
    'receipt',
    await sign('receipt', receipt(), keys.kh),
    receipt(),
    ctx({ recipient: 'TH' }),
  );
  const rejected = receipt({
    verdict: 'rejected',
    code: 'ERR_SIGNATURE_INVALID',
    to: null,
    ref: { id: null, digest: `sha256:${'ef'.repeat(32)}` },
  });
  ok(
    'valid-receipt-anonymous',
    'a rejecting receipt addressed to nobody (the bytes could not be attributed): taken by whoever sent those bytes',
    'receipt',
    await sign('receipt', rejected, keys.kh),
    rejected,
    ctx({ recipient: 'TH' }),
  );

  // Envelope: size and form.
  bad('too-large', 'a JWS over 16 KiB', 'referral', `${vh}.${'A'.repeat(16 * 1024)}.${vs}`, 'ERR_JWS_TOO_LARGE');
  // Sizes are bytes of UTF-8, not characters: 16,384 three-byte characters are 48 KiB (size comes before form).
  bad(
    'too-large-multibyte',
    'a JWS of 16,384 characters that are 3 bytes each in UTF-8',
    'referral',
    '€'.repeat(16 * 1024),
    'ERR_JWS_TOO_LARGE',
  );
  bad('two-parts', 'two segments', 'referral', `${vh}.${vp}`, 'ERR_JWS_MALFORMED');
  bad('four-parts', 'four segments', 'referral', `${valid}.${vs}`, 'ERR_JWS_MALFORMED');
  bad('empty-payload', 'an empty payload segment (detached content is not allowed)', 'referral', `${vh}..${vs}`, 'ERR_JWS_MALFORMED');
  bad('padded-base64', 'base64url with = padding', 'referral', `${vh}=.${vp}.${vs}`, 'ERR_JWS_MALFORMED');
  bad(
    'standard-base64',
    'standard base64 alphabet (+ and /) instead of base64url',
    'referral',
    `${vh}.${vp}.${vs.replace(/-/g, '+').replace(/_/g, '/')}${/[-_]/.test(vs) ? '' : '+'}`,
    'ERR_JWS_MALFORMED',
  );
  bad('whitespace', 'a line break inside the JWS', 'referral', `${vh}.\n${vp}.${vs}`, 'ERR_JWS_MALFORMED');
  bad('header-not-json', 'a header that is not JSON', 'referral', `${encodeBase64url(enc('alg=EdDSA'))}.${vp}.${vs}`, 'ERR_JWS_MALFORMED');
  bad('header-array', 'a header that is a JSON array', 'referral', `${b64json(['EdDSA'])}.${vp}.${vs}`, 'ERR_JWS_MALFORMED');
  bad(
    'header-duplicate-key',
    'a header with a duplicate alg member',
    'referral',
    `${encodeBase64url(enc(`{"alg":"none","alg":"EdDSA","kid":"${keys.th.kid}","typ":"${JWS_TYP.referral}"}`))}.${vp}.${vs}`,
    'ERR_JWS_MALFORMED',
  );
  // Non-canonical base64url: the last character of the signature carries unused bits; setting one re-encodes the same bytes differently.
  const last = vs.at(-1) as string;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const reencoded = `${vs.slice(0, -1)}${alphabet[(alphabet.indexOf(last) & ~0b1111) | ((alphabet.indexOf(last) + 1) & 0b1111)]}`;
  bad(
    'signature-reencoded',
    'a signature whose last base64url character has non-zero padding bits (same bytes, other text)',
    'referral',
    `${vh}.${vp}.${reencoded}`,
    'ERR_JWS_MALFORMED',
  );

  // Header.
  bad('alg-none', 'alg none with an empty signature', 'referral', `${b64json({ ...baseHeader, alg: 'none' })}.${vp}.`, 'ERR_JWS_ALG');
  bad(
    'alg-none-signed',
    'alg none with a signature present',
    'referral',
    `${b64json({ ...baseHeader, alg: 'none' })}.${vp}.${vs}`,
    'ERR_JWS_ALG',
  );
  const hsHeader = b64json({ ...baseHeader, alg: 'HS256' });
  const hmac = createHmac('sha256', JSON.stringify(keys.th.publicJwk)).update(`${hsHeader}.${vp}`).digest('base64url');
  bad(
    'alg-hs256-public-key',
    'HS256 with the public key as the HMAC secret (key confusion)',
    'referral',
    `${hsHeader}.${vp}.${hmac}`,
    'ERR_JWS_ALG',
  );
  bad('alg-es256', 'alg ES256', 'referral', await withHeader({ ...baseHeader, alg: 'ES256' }), 'ERR_JWS_ALG');
  bad(
    'alg-lowercase',
    'alg "eddsa" (algorithm names are case-sensitive)',
    'referral',
    await withHeader({ ...baseHeader, alg: 'eddsa' }),
    'ERR_JWS_ALG',
  );
  bad(
    'alg-ed25519',
    'alg "Ed25519" (the fully specified name is not the one this protocol uses)',
    'referral',
    await withHeader({ ...baseHeader, alg: 'Ed25519' }),
    'ERR_JWS_ALG',
  );
  bad('typ-missing', 'no typ', 'referral', await withHeader({ alg: 'EdDSA', kid: keys.th.kid }), 'ERR_JWS_TYP');
  bad(
    'typ-other-message',
    'a status typ on a referral delivery',
    'referral',
    await sign('status', referral() as never, keys.th),
    'ERR_JWS_TYP',
  );
  bad('typ-jwt', 'typ JWT', 'referral', await withHeader({ ...baseHeader, typ: 'JWT' }), 'ERR_JWS_TYP');
  bad('kid-missing', 'no kid', 'referral', await withHeader({ alg: 'EdDSA', typ: JWS_TYP.referral }), 'ERR_JWS_KID');
  bad(
    'kid-not-thumbprint',
    'a kid that is not a thumbprint',
    'referral',
    await withHeader({ ...baseHeader, kid: 'th-2015' }),
    'ERR_JWS_KID',
  );
  for (const [member, value] of [
    ['jwk', keys.outsider.publicJwk],
    ['jku', 'https://attacker.example/keys.json'],
    ['x5u', 'https://attacker.example/cert.pem'],
    ['x5c', ['MIIB']],
    ['crit', ['b64']],
    ['b64', false],
  ] as const) {
    bad(
      `header-${member}`,
      `a header carrying "${member}" (keys come from the directory, never from the message)`,
      'referral',
      await sign('referral', referral(), keys.th, { [member]: value }),
      'ERR_JWS_HEADER_FORBIDDEN',
    );
  }
  bad(
    'header-embedded-key-signed',
    'signed by an outsider key that the header embeds as jwk, kid its thumbprint',
    'referral',
    await sign('referral', referral(), keys.outsider, { jwk: keys.outsider.publicJwk }),
    'ERR_JWS_HEADER_FORBIDDEN',
  );
  bad(
    'header-extra-member',
    'a header member outside alg/kid/typ',
    'referral',
    await sign('referral', referral(), keys.th, { cty: 'json' }),
    'ERR_JWS_HEADER_FORBIDDEN',
  );

  // Keys and signature.
  bad('key-unknown', 'signed by a key in no directory', 'referral', await sign('referral', referral(), keys.outsider), 'ERR_KEY_UNKNOWN');
  bad(
    'key-revoked',
    'signed by a revoked key of VN',
    'referral',
    await sign('referral', referral({ from: 'VN' }), keys.revoked),
    'ERR_KEY_REVOKED',
  );
  bad(
    'kid-of-another-country',
    "TH's kid in the header, signed with KH's key",
    'referral',
    await withHeader(baseHeader, referral(), keys.kh),
    'ERR_SIGNATURE_INVALID',
  );
  bad(
    'payload-tampered',
    'the payload changed after signing (action locate → arrest)',
    'referral',
    `${vh}.${b64json(referral({ action: 'arrest' }))}.${vs}`,
    'ERR_SIGNATURE_INVALID',
  );
  bad(
    'signature-truncated',
    'a signature cut to 63 bytes',
    'referral',
    `${vh}.${vp}.${encodeBase64url(Buffer.from(vs, 'base64url').subarray(0, 63))}`,
    'ERR_SIGNATURE_INVALID',
  );
  bad(
    'signature-zero',
    'a signature of 64 zero bytes',
    'referral',
    `${vh}.${vp}.${encodeBase64url(new Uint8Array(64))}`,
    'ERR_SIGNATURE_INVALID',
  );
  bad('signature-empty', 'an empty signature with alg EdDSA', 'referral', `${vh}.${vp}.`, 'ERR_SIGNATURE_INVALID');

  // Payload (signed correctly, but not an acceptable message).
  const dup = `{"v":1,"id":"${referral().id}","from":"TH","from":"VN","to":"KH"}`;
  bad(
    'payload-duplicate-key',
    'duplicate "from" in the payload (parsers disagree on which wins)',
    'referral',
    await signRaw(JWS_TYP.referral, dup, keys.th),
    'ERR_PAYLOAD_MALFORMED',
  );
  bad(
    'payload-proto-key',
    'a __proto__ member in the payload',
    'referral',
    await signRaw(JWS_TYP.referral, JSON.stringify(referral()).replace('{', '{"__proto__":{"admin":true},'), keys.th),
    'ERR_PAYLOAD_MALFORMED',
  );
  // RFC 8259 §8.1: JSON text MUST NOT begin with a byte-order mark; a decoder that strips it and a
  // parser that refuses it would disagree about the same bytes, so every verifier refuses it.
  bad(
    'payload-bom',
    'a payload that starts with a UTF-8 byte-order mark (EF BB BF)',
    'referral',
    await signRaw(JWS_TYP.referral, `\uFEFF${JSON.stringify(referral())}`, keys.th),
    'ERR_PAYLOAD_MALFORMED',
  );
  // A header is strict JSON like a payload: a __proto__ member is malformed JSON for this protocol
  // (check 2), before any member is judged (check 3).
  {
    const text = `{"__proto__":{"alg":"none"},"alg":"EdDSA","kid":"${keys.th.kid}","typ":"${JWS_TYP.referral}"}`;
    const signed = await sign('referral', referral());
    const [, p, sig] = signed.split('.');
    bad(
      'header-proto-key',
      'a __proto__ member in the protected header',
      'referral',
      `${encodeBase64url(enc(text))}.${p}.${sig}`,
      'ERR_JWS_MALFORMED',
    );
  }
  bad(
    'payload-not-json',
    'a payload that is not JSON',
    'referral',
    await signRaw(JWS_TYP.referral, 'referral from TH', keys.th),
    'ERR_PAYLOAD_MALFORMED',
  );
  bad(
    'payload-array',
    'a payload that is a JSON array',
    'referral',
    await signRaw(JWS_TYP.referral, '[1]', keys.th),
    'ERR_PAYLOAD_MALFORMED',
  );
  bad('version-2', 'v 2', 'referral', await sign('referral', referral({ v: 2 })), 'ERR_VERSION_UNSUPPORTED');
  bad(
    'version-missing',
    'no v',
    'referral',
    await signRaw(JWS_TYP.referral, JSON.stringify({ ...referral(), v: undefined }), keys.th),
    'ERR_VERSION_UNSUPPORTED',
  );
  const schemaCases: Array<[string, string, Record<string, unknown>]> = [
    ['extra-field-victim', 'an unknown field (victimName): strict schemas refuse anything personal', { victimName: 'Somchai' }],
    ['id-uuid-v4', 'an id that is a UUIDv4, not v7', { id: '0f8fad5b-d9cb-469f-a165-70867728950e' }],
    ['from-not-a-country', 'from "XX"', { from: 'XX' }],
    ['to-lowercase', 'to "kh"', { to: 'kh' }],
    ['to-self', 'to equals from', { to: 'TH', from: 'TH' }],
    ['ip-invalid', 'ip 999.1.1.1', { ip: '999.1.1.1' }],
    ['ip-leading-zero', 'ip 043.245.120.7 (octal-looking)', { ip: '043.245.120.7' }],
    ['ip-not-canonical-v6', 'IPv6 in upper case, not RFC 5952 canonical', { ip: '2400:CB00:2048:1::C629:D7A2' }],
    ['ip-zone', 'IPv6 with a zone id', { ip: 'fe80::1%eth0' }],
    ['evidence-empty', 'no evidence digest', { evidence: [] }],
    ['evidence-uppercase', 'a digest in upper-case hex', { evidence: [`sha256:${'AB'.repeat(32)}`] }],
    [
      'evidence-17',
      '17 digests (at most 16)',
      { evidence: Array.from({ length: 17 }, (_, i) => `sha256:${i.toString(16).padStart(2, '0').repeat(32)}`) },
    ],
    ['evidence-repeated', 'the same digest twice', { evidence: [`sha256:${'ab'.repeat(32)}`, `sha256:${'ab'.repeat(32)}`] }],
    ['action-unknown', 'action "execute"', { action: 'execute' }],
    ['urgency-unknown', 'urgency "asap"', { urgency: 'asap' }],
    ['operation-not-slug', 'operation "First Light"', { operation: 'First Light' }],
    ['iat-huge', 'iat 1e300', { iat: 1e300 }],
    ['iat-fraction', 'iat with a fraction', { iat: VECTOR_NOW + 0.5 }],
    ['iat-string', 'iat as a string', { iat: String(VECTOR_NOW) }],
    ['exp-before-iat', 'exp before iat', { exp: VECTOR_NOW - 120 }],
    ['exp-too-far', 'exp more than 90 days after iat', { exp: VECTOR_NOW + 100 * DAY }],
    ['seen-at-offset', 'seenAt with a +07:00 offset (must be UTC, Z)', { seenAt: '2015-06-01T17:00:00+07:00' }],
    ['seen-at-missing', 'no seenAt: an IP without a time cannot be traced', { seenAt: undefined }],
    ['port-zero', 'port 0', { port: 0 }],
    ['port-too-big', 'port 70000', { port: 70_000 }],
  ];
  for (const [name, description, over] of schemaCases) {
    bad(`schema-${name}`, description, 'referral', await signRaw(JWS_TYP.referral, JSON.stringify(referral(over)), keys.th), 'ERR_SCHEMA');
  }
  bad(
    'schema-status-declined-no-reason',
    'a declined status without a reason',
    'status',
    await sign('status', status({ state: 'declined', outcome: undefined }), keys.kh),
    'ERR_SCHEMA',
    ctx({ recipient: 'TH' }),
  );
  bad(
    'schema-status-outcome-on-ack',
    'outcome counts on an acknowledged status',
    'status',
    await sign('status', status({ state: 'acknowledged' }), keys.kh),
    'ERR_SCHEMA',
    ctx({ recipient: 'TH' }),
  );
  bad(
    'schema-status-negative-arrests',
    'negative arrests',
    'status',
    await sign(
      'status',
      status({ outcome: { suspectsIdentified: 1, arrests: -1, premisesSearched: 0, callCentresDismantled: 0 } }),
      keys.kh,
    ),
    'ERR_SCHEMA',
    ctx({ recipient: 'TH' }),
  );
  bad(
    'schema-receipt-rejected-no-code',
    'a rejecting receipt without its code',
    'receipt',
    await sign('receipt', receipt({ verdict: 'rejected' }), keys.kh),
    'ERR_SCHEMA',
    ctx({ recipient: 'TH' }),
  );

  // Unroutable IPs: every family of range that can never be traced abroad.
  const ranges: Array<[string, string]> = [
    ['private-10', '10.1.2.3'],
    ['private-172', '172.16.5.4'],
    ['private-192', '192.168.1.1'],
    ['loopback', '127.0.0.1'],
    ['link-local', '169.254.10.1'],
    ['cgnat', '100.64.0.1'],
    ['documentation', '203.0.113.9'],
    ['benchmark', '198.18.0.1'],
    ['multicast', '224.0.0.251'],
    ['reserved', '240.0.0.1'],
    ['unspecified', '0.0.0.0'],
    ['broadcast', '255.255.255.255'],
    ['v6-loopback', '::1'],
    ['v6-link-local', 'fe80::1'],
    ['v6-unique-local', 'fd12:3456:789a::1'],
    ['v6-multicast', 'ff02::1'],
    ['v6-documentation', '2001:db8::1'],
    ['v4-mapped-private', '::ffff:192.168.1.1'],
    ['v4-mapped-cgnat', '::ffff:100.64.1.1'],
    ['v6-unallocated', '4000::1'],
  ];
  for (const [name, ip] of ranges) {
    bad(
      `ip-unroutable-${name}`,
      `suspect IP ${ip} cannot be located abroad`,
      'referral',
      await sign('referral', referral({ ip })),
      'ERR_IP_UNROUTABLE',
    );
  }

  // Context checks, in order after the schema.
  bad(
    'key-not-owner',
    "KH's key signing a referral that claims to be from TH",
    'referral',
    await sign('referral', referral(), keys.kh),
    'ERR_KEY_NOT_OWNER',
  );
  bad(
    'key-not-valid-at-iat',
    'a key used for a message dated before its not-before time',
    'referral',
    await sign('referral', referral({ from: 'MY', iat: VECTOR_NOW - 20 * DAY, exp: VECTOR_NOW + DAY }), keys.thOld),
    'ERR_KEY_NOT_VALID_AT_IAT',
  );
  bad(
    'wrong-recipient',
    'a referral for VN delivered to KH',
    'referral',
    await sign('referral', referral({ to: 'VN' })),
    'ERR_WRONG_RECIPIENT',
  );
  bad(
    'status-wrong-recipient',
    'a status for VN delivered to TH',
    'status',
    await sign('status', status({ to: 'VN' }), keys.kh),
    'ERR_WRONG_RECIPIENT',
    ctx({ recipient: 'TH' }),
  );
  bad(
    'expired',
    'a referral that expired a day ago',
    'referral',
    await sign('referral', referral({ iat: VECTOR_NOW - 20 * DAY, exp: VECTOR_NOW - DAY })),
    'ERR_EXPIRED',
  );
  bad(
    'iat-future',
    'iat 10 minutes ahead, beyond the 300 s allowance',
    'referral',
    await sign('referral', referral({ iat: VECTOR_NOW + 600 })),
    'ERR_IAT_FUTURE',
  );
  bad(
    'replay',
    'the same id already received with other bytes',
    'referral',
    valid,
    'ERR_REPLAY',
    ctx({ seen: [{ id: referral().id, digest: `sha256:${'00'.repeat(32)}` }] }),
  );

  // Directory vectors.
  const anchor = keys.authority.kid;
  const dctx = (over: Partial<DirectoryVector['context']> = {}): DirectoryVector['context'] => ({
    anchor,
    now: VECTOR_NOW,
    heldSerial: null,
    graceSeconds: 7 * DAY,
    skewSeconds: 300,
    ...over,
  });
  const dok = (name: string, description: string, jws: string, serial: number, stale: boolean, c = dctx()) =>
    vectors.push({ name, description, kind: 'directory', jws, context: c, expect: { ok: true, serial, stale } });
  const dbad = (name: string, description: string, jws: string, code: ErrorCode, c = dctx()) =>
    vectors.push({ name, description, kind: 'directory', jws, context: c, expect: { ok: false, code } });
  dok('directory-valid', 'the directory, verified against the pinned anchor', directoryJws, 7, false);
  dok('directory-same-serial', 'the serial already held is accepted again', directoryJws, 7, false, dctx({ heldSerial: 7 }));
  dok(
    'directory-in-grace',
    'expired 3 days ago, within the 7-day grace period: accepted, marked stale',
    directoryJws,
    7,
    true,
    dctx({ now: directory.expiresAt + 3 * DAY }),
  );
  dbad(
    'directory-grace-over',
    'expired and its grace period is over',
    directoryJws,
    'ERR_DIRECTORY_EXPIRED',
    dctx({ now: directory.expiresAt + 8 * DAY }),
  );
  dbad('directory-stale-serial', 'serial 7 when serial 8 is held', directoryJws, 'ERR_DIRECTORY_STALE', dctx({ heldSerial: 8 }));
  dbad(
    'directory-wrong-anchor',
    'a node pinned to another authority',
    directoryJws,
    'ERR_DIRECTORY_ANCHOR',
    dctx({ anchor: keys.outsider.kid }),
  );
  const forged = await signDirectory({ ...directory, authority: keys.outsider.publicJwk, serial: 99 }, keys.outsider);
  dbad('directory-forged-authority', 'a directory signed by another authority that names itself', forged, 'ERR_DIRECTORY_ANCHOR');
  const [dh, dp, ds] = directoryJws.split('.') as [string, string, string];
  const tamperedDir = { ...directory, revoked: [] };
  dbad('directory-tampered', 'a revocation removed after signing', `${dh}.${b64json(tamperedDir)}.${ds}`, 'ERR_SIGNATURE_INVALID');
  const badKid = {
    ...directory,
    members: directory.members.map((m) => (m.country === 'KH' ? { ...m, keys: m.keys.map((k) => ({ ...k, kid: keys.th.kid })) } : m)),
  };
  const badKidJws = await signRaw(JWS_TYP.directory, JSON.stringify(badKid), keys.authority);
  dbad('directory-kid-mismatch', "a member key listed under another key's thumbprint", badKidJws, 'ERR_SCHEMA');
  const wrongKidJws = await signRaw(
    JWS_TYP.directory,
    JSON.stringify({
      ...directory,
      members: directory.members.map((m) =>
        m.country === 'KH' ? { ...m, keys: m.keys.map((k) => ({ ...k, kid: keys.outsider.kid })) } : m,
      ),
    }),
    keys.authority,
  );
  dbad('directory-kid-not-thumbprint', 'a member key whose kid is not its thumbprint', wrongKidJws, 'ERR_DIRECTORY_INVALID');
  // Directory v2: TLS key pins beside the signing keys (fixed values: pins are opaque to verification).
  const pinTh = Buffer.alloc(32, 0x71).toString('base64url');
  const pinThNext = Buffer.alloc(32, 0x72).toString('base64url');
  const withPins = (v: number) => ({
    ...directory,
    v,
    serial: 8,
    members: directory.members.map((m) => (m.country === 'TH' ? { ...m, tlsPins: [pinTh, pinThNext] } : m)),
  });
  dok(
    'directory-v2-tls-pins',
    'a v2 directory listing two TLS pins for TH (a rotation overlap)',
    await signRaw(JWS_TYP.directory, JSON.stringify(withPins(2)), keys.authority),
    8,
    false,
  );
  dbad(
    'directory-v1-tls-pins',
    'TLS pins in a directory that says v 1',
    await signRaw(JWS_TYP.directory, JSON.stringify(withPins(1)), keys.authority),
    'ERR_SCHEMA',
  );
  dbad(
    'directory-v2-bad-pin',
    'a TLS pin that is not a base64url SHA-256',
    await signRaw(
      JWS_TYP.directory,
      JSON.stringify({ ...withPins(2), members: withPins(2).members.map((m) => (m.country === 'TH' ? { ...m, tlsPins: ['sha256'] } : m)) }),
      keys.authority,
    ),
    'ERR_SCHEMA',
  );
  dbad(
    'directory-v3',
    'a directory version this implementation does not know',
    await signRaw(JWS_TYP.directory, JSON.stringify({ ...directory, v: 3 }), keys.authority),
    'ERR_SCHEMA',
  );
  dbad(
    'directory-typ',
    'a directory with a referral typ',
    `${b64json({ alg: 'EdDSA', kid: anchor, typ: JWS_TYP.referral })}.${dp}.${ds}`,
    'ERR_JWS_TYP',
  );

  // Check every vector against this implementation.
  for (const v of vectors) {
    if (v.kind === 'directory') {
      const r = await runDirectoryVector(v);
      const got = r.ok ? `ok serial ${r.directory.serial} stale ${r.stale}` : r.error.code;
      const want = v.expect.ok ? `ok serial ${v.expect.serial} stale ${v.expect.stale}` : v.expect.code;
      if (got !== want) throw new Error(`vector ${v.name}: expected ${want}, got ${got}${r.ok ? '' : ` (${r.error.message})`}`);
    } else {
      const r = await runMessageVector(v, trust);
      const got = r.ok ? 'ok' : r.error.code;
      const want = v.expect.ok ? 'ok' : v.expect.code;
      if (got !== want) throw new Error(`vector ${v.name}: expected ${want}, got ${got}${r.ok ? '' : ` (${r.error.message})`}`);
    }
  }

  return {
    protocol: 'firstlight',
    version: 1,
    notice: 'Generated by packages/protocol/scripts/generate-vectors.ts from fixed seeds. Do not edit by hand. Format: docs/PROTOCOL.md.',
    keys: Object.fromEntries(
      Object.entries(keys).map(([name, k]) => [
        name,
        {
          seedHex: hex(
            seed(
              name === 'authority'
                ? 0xa0
                : name === 'liaison'
                  ? 0xa1
                  : ({ th: 1, kh: 2, vn: 3, thOld: 4, outsider: 5, revoked: 6 }[name as 'th'] ?? 0),
            ),
          ),
          kid: k.kid,
          publicJwk: k.publicJwk,
          owner: owners[name as keyof typeof keys],
        },
      ]),
    ),
    directories: { main: { jws: directoryJws, anchor } },
    vectors,
  };
}

/** Runs one message vector through `verify` with the vector's context. */
export function runMessageVector(v: MessageVector, trust: ReturnType<typeof createTrustStore>) {
  const seen = new Map(v.context.seen.map((s) => [s.id, s.digest]));
  return verify(v.jws, {
    type: v.kind,
    keys: trust,
    recipient: v.context.recipient,
    recipientRole: v.context.recipientRole,
    now: v.context.now,
    skewSeconds: v.context.skewSeconds,
    isReplay: (id, digest) => seen.has(id) && seen.get(id) !== digest,
  });
}

/** Runs one directory vector through `verifyDirectory` with the vector's context. */
export function runDirectoryVector(v: DirectoryVector) {
  return verifyDirectory(v.jws, {
    anchor: v.context.anchor,
    now: v.context.now,
    ...(v.context.heldSerial !== null ? { heldSerial: v.context.heldSerial } : {}),
    graceSeconds: v.context.graceSeconds,
    skewSeconds: v.context.skewSeconds,
  });
}
