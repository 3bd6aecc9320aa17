/**
 * Re-creates a protocol test vector (packages/protocol/vectors/firstlight-v1.json) in the kit's world:
 * the vector's countries become the target and the kit's countries, its keys the kit's keys (the vector
 * file publishes its seeds, so the kit can tell which key signed what), its ids fresh UUIDv7s and its
 * times shifted to now. Every defect is carried over: a header swapped after signing, a signature
 * truncated, re-encoded or spliced from another message, a forbidden header member. It never invents a
 * case: the caller checks each re-creation offline against the kit's own directory before sending it.
 */
import { createHmac, createPublicKey, sign as edSign, verify as edVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeBase64url, encodeBase64url, JWS_TYP, type SigningKey, signingKeyFromSeed, uuidv7 } from '@firstlight/protocol';
import { z } from 'zod';
import { KIT_KEYS } from './keys.js';

export const VECTORS_FILE = fileURLToPath(new URL('../../../packages/protocol/vectors/firstlight-v1.json', import.meta.url));

const vectorSchema = z.object({
  name: z.string(),
  description: z.string(),
  kind: z.enum(['referral', 'status', 'receipt', 'directory']),
  jws: z.string(),
  context: z.looseObject({
    now: z.number(),
    recipient: z.string().optional(),
    recipientRole: z.enum(['national', 'liaison']).optional(),
    seen: z.array(z.object({ id: z.string(), digest: z.string() })).optional(),
  }),
  expect: z.union([z.looseObject({ ok: z.literal(true) }), z.object({ ok: z.literal(false), code: z.string() })]),
});
const fileSchema = z.object({
  keys: z.record(z.string(), z.looseObject({ seedHex: z.string().regex(/^[0-9a-f]{64}$/) })),
  directories: z.record(z.string(), z.object({ jws: z.string(), anchor: z.string() })),
  vectors: z.array(vectorSchema),
});
const directoryPayload = z.looseObject({
  members: z.array(z.looseObject({ country: z.string(), role: z.string(), keys: z.array(z.looseObject({ kid: z.string() })) })),
  revoked: z.array(z.looseObject({ kid: z.string() })),
});

export type Vector = z.infer<typeof vectorSchema>;

export interface VectorSet {
  vectors: Vector[];
  /** Every key of the vector file, rebuilt from its published seed. */
  keys: SigningKey[];
  members: z.infer<typeof directoryPayload>['members'];
  revoked: Set<string>;
  anchor: string;
}

/** Reads and validates the vector file (a boundary like any other). */
export function loadVectors(path = VECTORS_FILE): VectorSet {
  const file = fileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const main = file.directories.main;
  if (!main) throw new Error(`${path} holds no "main" directory`);
  const dir = directoryPayload.parse(JSON.parse(Buffer.from(main.jws.split('.')[1] ?? '', 'base64url').toString('utf8')));
  return {
    vectors: file.vectors,
    keys: Object.values(file.keys).map((k) => signingKeyFromSeed(new Uint8Array(Buffer.from(k.seedHex, 'hex')))),
    members: dir.members,
    revoked: new Set(dir.revoked.map((r) => r.kid)),
    anchor: main.anchor,
  };
}

/** How one vector's world maps onto the kit's. */
export interface World {
  countries: Record<string, string>;
  keys: Array<{ from: SigningKey; to: SigningKey }>;
  ids: Map<string, string>;
  vectorNow: number;
  offset: number;
  /** The valid referral's segments in the vector file, the base most malformed vectors are cut from. */
  base: { h: string; p: string; s: string; key: SigningKey };
}

/**
 * The vector's recipient becomes the target; the other national members, in order, the kit's countries
 * A, B and C. A key becomes the kit key of its owner's stand-in (the target's own key, which the kit
 * cannot sign with, becomes country B's: "another member's key"); a revoked key the kit's revoked key.
 */
export function worldFor(set: VectorSet, v: Vector, target: string, fake: [string, string, string], now: number): World {
  const recipient = v.context.recipient ?? '';
  const nationals = set.members.filter((m) => m.role === 'national').map((m) => m.country);
  const countries: Record<string, string> = { [recipient]: target };
  for (const [i, c] of nationals.filter((n) => n !== recipient).entries()) countries[c] = fake[i] ?? c;
  const kitKeyOf: Record<string, SigningKey> = {
    [fake[0]]: KIT_KEYS.a,
    [fake[1]]: KIT_KEYS.b,
    [fake[2]]: KIT_KEYS.late,
    [target]: KIT_KEYS.b,
  };
  const keys = set.keys.map((from) => {
    if (set.revoked.has(from.kid)) return { from, to: KIT_KEYS.revoked };
    if (from.kid === set.anchor) return { from, to: KIT_KEYS.authority };
    const member = set.members.find((m) => m.keys.some((k) => k.kid === from.kid));
    if (!member) return { from, to: KIT_KEYS.outsider };
    if (member.role === 'liaison') return { from, to: KIT_KEYS.liaison };
    return { from, to: kitKeyOf[countries[member.country] ?? ''] ?? KIT_KEYS.outsider };
  });
  const valid = set.vectors.find((x) => x.name === 'valid-referral');
  const [h = '', p = '', s = ''] = (valid?.jws ?? '').split('.');
  const signer = keys.find((k) => signs(k.from, `${h}.${p}`, s))?.from ?? KIT_KEYS.outsider;
  return { countries, keys, ids: new Map(), vectorNow: v.context.now, offset: now - v.context.now, base: { h, p, s, key: signer } };
}

const UUID7 = /[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g;
const b64json = (value: unknown) => encodeBase64url(JSON.stringify(value));
const DAY = 86_400;

function signs(key: SigningKey, input: string, signature: string): boolean {
  const bytes = decodeBase64url(signature);
  if (bytes?.length !== 64) return false;
  try {
    return edVerify(null, Buffer.from(input), createPublicKey(key.privateKey), bytes);
  } catch {
    return false;
  }
}

const edSignB64 = (key: SigningKey, input: string) => encodeBase64url(edSign(null, Buffer.from(input), key.privateKey));

/** Keys, key material, countries, operation, ids and times, replaced inside a decoded header or payload. */
export function remapText(text: string, w: World): string {
  let t = text;
  for (const { from, to } of w.keys) t = t.replaceAll(from.kid, to.kid).replaceAll(from.publicJwk.x, to.publicJwk.x);
  t = t.replace(/"([A-Z]{2})"/g, (m, c: string) => (w.countries[c] ? `"${w.countries[c]}"` : m));
  t = t.replaceAll('"first-light-2015"', '"conformance"');
  t = t.replace(UUID7, (id) => {
    const fresh = w.ids.get(id) ?? uuidv7();
    w.ids.set(id, fresh);
    return fresh;
  });
  return t.replace(/"(iat|exp)":(-?\d+(?:\.\d+)?)(?=[,}])/g, (m, k: string, n: string) =>
    Math.abs(Number(n) - w.vectorNow) <= 400 * DAY ? `"${k}":${Number(n) + w.offset}` : m,
  );
}

/** A canonical base64url segment of UTF-8 text, remapped; null for anything else. */
function remapB64(segment: string, w: World): string | null {
  const bytes = decodeBase64url(segment);
  if (!bytes) return null;
  const text = Buffer.from(bytes).toString('utf8');
  return encodeBase64url(text) === segment ? encodeBase64url(remapText(text, w)) : null;
}

/** A header or payload segment: decoded and remapped, or (padded, split by whitespace) the base segment it wraps. */
function remapSegment(segment: string, w: World): string {
  const exact = remapB64(segment, w);
  if (exact !== null) return exact;
  for (const base of [w.base.h, w.base.p]) if (base && segment.includes(base)) return segment.replace(base, remapB64(base, w) ?? base);
  return segment;
}

const standardBase64 = (s: string) => `${s.replace(/-/g, '+').replace(/_/g, '/')}${/[-_]/.test(s) ? '' : '+'}`;

/** The re-created JWS, and the kit key that signs it (for a resend with other bytes), if any. */
export interface Recreated {
  jws: string;
  key: SigningKey | null;
}

export function recreate(jws: string, w: World): Recreated {
  const parts = jws.split('.');
  if (parts.length !== 3) return { jws: parts.map((p) => (p === w.base.s ? baseSignature(w) : remapSegment(p, w))).join('.'), key: null };
  const [h, p, s] = parts as [string, string, string];
  const h2 = remapSegment(h, w);
  const p2 = remapSegment(p, w);
  for (const { from, to } of w.keys) {
    // Signed as it stands.
    if (signs(from, `${h}.${p}`, s)) return { jws: `${h2}.${p2}.${edSignB64(to, `${h2}.${p2}`)}`, key: to };
    // Signed under a plain header, which was then swapped for this one.
    for (const typ of [JWS_TYP.referral, JWS_TYP.status, JWS_TYP.receipt]) {
      if (signs(from, `${b64json({ alg: 'EdDSA', kid: from.kid, typ })}.${p}`, s))
        return { jws: `${h2}.${p2}.${edSignB64(to, `${b64json({ alg: 'EdDSA', kid: to.kid, typ })}.${p2}`)}`, key: to };
    }
    // An HMAC keyed with the public JWK (key confusion).
    if (createHmac('sha256', JSON.stringify(from.publicJwk)).update(`${h}.${p}`).digest('base64url') === s)
      return {
        jws: `${h2}.${p2}.${createHmac('sha256', JSON.stringify(to.publicJwk)).update(`${h2}.${p2}`).digest('base64url')}`,
        key: null,
      };
  }
  return { jws: `${h2}.${p2}.${signatureLike(s, w)}`, key: null };
}

/** The kit's signature over the re-created valid referral of this world. */
function baseSignature(w: World): string {
  const to = w.keys.find((k) => k.from.kid === w.base.key.kid)?.to ?? KIT_KEYS.outsider;
  return edSignB64(to, `${remapB64(w.base.h, w) ?? ''}.${remapB64(w.base.p, w) ?? ''}`);
}

/** A signature that is the valid referral's, or cut, re-encoded or re-alphabeted from it; else kept (empty, zeros). */
function signatureLike(s: string, w: World): string {
  const vs = w.base.s;
  if (!vs) return s;
  const kit = baseSignature(w);
  if (s === vs) return kit;
  const bytes = decodeBase64url(s);
  const vsBytes = decodeBase64url(vs) ?? new Uint8Array();
  if (bytes && bytes.length > 0 && bytes.length < vsBytes.length && Buffer.from(vsBytes.subarray(0, bytes.length)).equals(bytes))
    return encodeBase64url((decodeBase64url(kit) ?? new Uint8Array()).subarray(0, bytes.length));
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  if (s.length === vs.length && s.slice(0, -1) === vs.slice(0, -1)) {
    // The same bytes with other unused bits in the last character: flip the same bits on the kit's signature.
    const delta = alphabet.indexOf(s.at(-1) ?? '') ^ alphabet.indexOf(vs.at(-1) ?? '');
    return `${kit.slice(0, -1)}${alphabet[alphabet.indexOf(kit.at(-1) ?? '') ^ delta]}`;
  }
  if (s === standardBase64(vs)) return standardBase64(kit);
  return s;
}
