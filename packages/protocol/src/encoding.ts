/**
 * Byte-exact decoding for untrusted input: strict base64url (RFC 7515 §2, no padding, canonical last
 * character) and strict JSON (no duplicate keys, no __proto__/constructor/prototype keys). Never
 * throws: returns null when the input is not exactly right.
 */
import { hash } from 'node:crypto';

const B64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function decodeBase64url(text: string): Uint8Array | null {
  if (!canonicalTail(text)) return null;
  if (text.length > SMALL_DECODE) return nativeDecode(text);
  // Signatures and headers: decoded here into a fresh array (payloads go to decodeBase64urlNative). Measured on the 2-core test
  // machine, a Buffer.from(…, 'base64url') before each Ed25519 verification made that verification
  // ~5–7 µs slower (82 → 89 µs), this decoder does not (scripts/measure-verify.ts).
  const out = new Uint8Array((text.length * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  // Each character is checked as it is decoded: outside the alphabet (SEXTET 64, or any code ≥ 128) is refused.
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const sextet = code < 128 ? (SEXTET[code] as number) : 64;
    if (sextet === 64) return null;
    acc = ((acc << 6) | sextet) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/**
 * The same strict decoding by Buffer (the text checked first: alphabet, length, unused bits), for bytes
 * that are parsed rather than handed to a signature check. Buffer's decoder is native: a referral's
 * payload decodes in a quarter of the JS decoder's time.
 */
export function decodeBase64urlNative(text: string): Uint8Array | null {
  return canonicalTail(text) ? nativeDecode(text) : null;
}

function nativeDecode(text: string): Uint8Array | null {
  if (!B64URL.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A length base64url can have (never 1 past a multiple of 4), and a last character whose unused bits
 * are zero: otherwise the same bytes have several texts (re-encoded signatures). 2 leftover characters:
 * 4 unused bits; 3: 2. Whether every character is in the alphabet is the decoder's check.
 */
function canonicalTail(text: string): boolean {
  const rest = text.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = ALPHABET.indexOf(text[text.length - 1] as string);
  return !((rest === 2 && (last & 0b1111) !== 0) || (rest === 3 && (last & 0b11) !== 0));
}

/** Longer texts (directories) are decoded by Buffer. */
const SMALL_DECODE = 32 * 1024;
/** Character code → its 6 bits; 64 marks a character outside the base64url alphabet. */
const SEXTET = new Uint8Array(128).fill(64);
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;

export function encodeBase64url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}

// ignoreBOM: a byte-order mark is kept as U+FEFF (and then refused by the JSON parser), never silently
// dropped: RFC 8259 §8.1 forbids it in JSON text, and verifiers that parse the bytes refuse it too.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * JSON.parse, then a check for repeated member names. JSON.parse silently keeps the last duplicate,
 * which lets two parsers disagree on what was signed; we refuse such input instead. A repeat leaves
 * its object with fewer members than the text names, so the member names written in the text are
 * counted and compared with the members parsed; the parsed objects are also where a forbidden name
 * (`__proto__`, `constructor`, `prototype`: JSON.parse keeps each as an own member) is looked for.
 */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return value;
  const parsed = membersParsed(value);
  return parsed < 0 || parsed !== membersWritten(text) ? undefined : value;
}

/** The members of every object in a parsed value, or -1 when one has a forbidden name. Iterative: nesting depth costs no stack. */
function membersParsed(root: object): number {
  let count = 0;
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) pending.push(item);
      continue;
    }
    for (const name of FORBIDDEN_KEYS) if (Object.hasOwn(value, name)) return -1;
    const keys = Object.keys(value);
    count += keys.length;
    for (const key of keys) {
      const item = (value as Record<string, unknown>)[key];
      if (typeof item === 'object' && item !== null) pending.push(item);
    }
  }
  return count;
}

/**
 * The member names written in JSON text already known to be valid: the strings followed (after any
 * whitespace) by a colon. In valid JSON a quote is a string's start or end, or escaped inside one.
 */
function membersWritten(text: string): number {
  let count = 0;
  let at = text.indexOf('"');
  while (at >= 0) {
    // The closing quote: the next quote not escaped by an odd run of backslashes.
    let end = text.indexOf('"', at + 1);
    for (;;) {
      let k = end - 1;
      while (text.charCodeAt(k) === 92 /* \\ */) k--;
      if ((end - 1 - k) % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
    let next = end + 1;
    for (let c = text.charCodeAt(next); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++next));
    if (text.charCodeAt(next) === 58 /* : */) count++;
    at = text.indexOf('"', next);
  }
  return count;
}

/** `sha256:<64 lowercase hex>` of the exact bytes. */
export function sha256Digest(data: string | Uint8Array): string {
  // One-shot hash (Node ≥ 20.12): no Hash object per message. A string is hashed as its UTF-8 bytes.
  return `sha256:${hash('sha256', data, 'hex')}`;
}
