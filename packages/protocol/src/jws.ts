/**
 * The compact JWS envelope, taken apart byte-exactly and checked before any key is touched:
 * size, three strict base64url segments, and a header of exactly alg/kid/typ.
 */

import { keep } from './bounded.js';
import { decodeBase64url, decodeBase64urlNative, decodeUtf8, parseStrictJson } from './encoding.js';
import { ProtocolError } from './errors.js';

export const MAX_MESSAGE_BYTES = 16 * 1024;
/** A receipt batch answers up to 500 envelopes: ~240 bytes per verdict at most, base64url-encoded. */
export const MAX_RECEIPT_BATCH_BYTES = 256 * 1024;
/** A seal lists at most 500 digests of 71 characters: 64 KiB holds it with room to spare. */
export const MAX_SEAL_BYTES = 64 * 1024;
export const MAX_DIRECTORY_BYTES = 4 * 1024 * 1024;

const FORBIDDEN_HEADER_MEMBERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit', 'b64', 'zip', 'enc'];
const ALLOWED_HEADER_MEMBERS = new Set(['alg', 'kid', 'typ']);
const KID = /^[A-Za-z0-9_-]{43}$/;

export interface CompactParts {
  kid: string;
  typ: string;
  signingInput: Uint8Array;
  signature: Uint8Array;
  payloadB64: string;
  /** The payload bytes, already strictly decoded. */
  payloadBytes: Uint8Array;
}

/**
 * Takes a JWS apart, running checks 1–3 of PROTOCOL.md §3; `expectedTyp` is the one typ accepted, or the typs
 * accepted (the header's typ, returned, then says which kind the message is).
 */
export function splitCompact(jws: unknown, maxBytes: number, expectedTyp: string | readonly string[]): CompactParts | ProtocolError {
  if (typeof jws !== 'string') return new ProtocolError('ERR_JWS_MALFORMED', 'the envelope must be a string');
  const bytes = byteLength(jws, maxBytes);
  if (bytes > maxBytes)
    return new ProtocolError('ERR_JWS_TOO_LARGE', `the JWS is ${bytes} bytes; the limit is ${maxBytes}`, { limit: maxBytes });
  const firstDot = jws.indexOf('.');
  const secondDot = firstDot < 0 ? -1 : jws.indexOf('.', firstDot + 1);
  if (secondDot < 0 || jws.indexOf('.', secondDot + 1) >= 0)
    return new ProtocolError('ERR_JWS_MALFORMED', 'a compact JWS has exactly three dot-separated parts');
  const headerB64 = jws.slice(0, firstDot);
  const payloadB64 = jws.slice(firstDot + 1, secondDot);
  // The payload is decoded by Buffer once its text is known to be canonical base64url (a quarter of
  // the JS decoder's time for a referral's ~400 characters); the signature, 86 characters, by the JS
  // decoder (a Buffer from the pool made the Ed25519 check itself slower, see decodeBase64url).
  const payloadBytes = decodeBase64urlNative(payloadB64);
  const signature = decodeBase64url(jws.slice(secondDot + 1));
  if (!payloadBytes || !signature || headerB64 === '' || payloadB64 === '')
    return new ProtocolError('ERR_JWS_MALFORMED', 'every JWS part must be non-empty, unpadded, canonical base64url');
  // A sender uses the same protected header for every message it signs with a key: its checks are
  // memoised per exact header text (bounded), everything else is checked per message.
  // Keyed by the typ or by the list's identity (verify passes one list per set of kinds; a caller that
  // makes a new list per call only costs the cache its entries: it is emptied past HEADER_CACHE_LISTS).
  const cache = headerCache.get(expectedTyp) ?? keep(headerCache, HEADER_CACHE_LISTS, expectedTyp, new Map());
  const header = cache.get(headerB64) ?? keep(cache, HEADER_CACHE_SIZE, headerB64, checkHeader(headerB64, expectedTyp));
  if (header instanceof ProtocolError) return header;
  // The signature's length is checked with the signature itself (step 5), after the key lookup (step 4).
  return {
    kid: header.kid,
    typ: header.typ,
    signingInput: Buffer.from(jws.slice(0, secondDot), 'latin1'),
    signature,
    payloadB64,
    payloadBytes,
  };
}

/**
 * The JWS's size in bytes of UTF-8 (PROTOCOL.md §3 check 1 counts bytes, not UTF-16 code units). A
 * string is never fewer bytes than characters, nor more than three bytes per character, so only a
 * text in between is counted.
 */
function byteLength(jws: string, maxBytes: number): number {
  if (jws.length > maxBytes || jws.length * 3 <= maxBytes) return jws.length;
  return Buffer.byteLength(jws, 'utf8');
}

const HEADER_CACHE_SIZE = 4096;
const HEADER_CACHE_LISTS = 64;
/** Per expected typ (or list of typs), per exact header text (so no key is built per message). */
const headerCache = new Map<string | readonly string[], Map<string, { kid: string; typ: string } | ProtocolError>>();

function checkHeader(headerB64: string, expectedTyp: string | readonly string[]): { kid: string; typ: string } | ProtocolError {
  const headerBytes = decodeBase64url(headerB64);
  if (!headerBytes) return new ProtocolError('ERR_JWS_MALFORMED', 'every JWS part must be non-empty, unpadded, canonical base64url');
  const headerText = decodeUtf8(headerBytes);
  const header = headerText === null ? undefined : parseStrictJson(headerText);
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    return new ProtocolError('ERR_JWS_MALFORMED', 'the JWS header must be a strict JSON object');
  const h = header as Record<string, unknown>;
  for (const member of FORBIDDEN_HEADER_MEMBERS) {
    if (Object.hasOwn(h, member))
      return new ProtocolError('ERR_JWS_HEADER_FORBIDDEN', `the header member "${member}" is forbidden: keys come from the directory`, {
        member,
      });
  }
  if (h.alg !== 'EdDSA') return new ProtocolError('ERR_JWS_ALG', `alg must be EdDSA, not ${JSON.stringify(h.alg ?? null).slice(0, 40)}`);
  const typs = typeof expectedTyp === 'string' ? [expectedTyp] : expectedTyp;
  if (typeof h.typ !== 'string' || !typs.includes(h.typ))
    return new ProtocolError('ERR_JWS_TYP', `typ must be ${typs.join(' or ')}`, { expected: typs.join(' ') });
  if (typeof h.kid !== 'string' || !KID.test(h.kid))
    return new ProtocolError('ERR_JWS_KID', 'kid must be the RFC 7638 SHA-256 thumbprint of the signing key (43 base64url characters)');
  for (const member of Object.keys(h)) {
    if (!ALLOWED_HEADER_MEMBERS.has(member))
      return new ProtocolError('ERR_JWS_HEADER_FORBIDDEN', `the header member "${member.slice(0, 40)}" is not allowed`, {
        member: member.slice(0, 40),
      });
  }
  return { kid: h.kid, typ: h.typ as string };
}

/** Decodes the payload of an already verified JWS into strict JSON, or an error. */
export function decodePayload(payload: string | Uint8Array): unknown {
  const bytes = typeof payload === 'string' ? decodeBase64url(payload) : payload;
  const text = bytes && decodeUtf8(bytes);
  const value = text ? parseStrictJson(text) : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return new ProtocolError('ERR_PAYLOAD_MALFORMED', 'the payload must be a strict JSON object (no duplicate or __proto__ keys)');
  return value;
}
