/**
 * Reading a compact JWS without verifying it (as jose's decodeProtectedHeader): its typ, kid and
 * payload, for routing, display and looking up what is already stored. Nothing read here is evidence
 * of anything: it must never decide whether a message is accepted, nor be shown as signed unless the
 * bytes were verified (verify.ts) or stored after verification. It never throws.
 */
import { decodeBase64url, decodeUtf8 } from './encoding.js';

export interface PeekedJws {
  /** The protected header's typ, when it is a string. */
  typ: string | null;
  /** The protected header's kid, when it is a string. */
  kid: string | null;
  /** The payload as JSON, whatever its shape; undefined when it is not JSON. */
  payload: unknown;
}

/** typ, kid and payload of a compact JWS, unverified; null when it is not three parts with a JSON object header. */
export function peekJws(jws: unknown): PeekedJws | null {
  if (typeof jws !== 'string') return null;
  const first = jws.indexOf('.');
  const second = jws.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || jws.indexOf('.', second + 1) >= 0) return null;
  const header = readJson(jws.slice(0, first));
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return null;
  const { typ, kid } = header as Record<string, unknown>;
  return {
    typ: typeof typ === 'string' ? typ : null,
    kid: typeof kid === 'string' ? kid : null,
    payload: readJson(jws.slice(first + 1, second)),
  };
}

/** A payload member read without verifying, when it is a string (a message id for a lookup, say). */
export function peekString(payload: unknown, member: string): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const value = (payload as Record<string, unknown>)[member];
  return typeof value === 'string' ? value : null;
}

function readJson(part: string): unknown {
  const bytes = decodeBase64url(part);
  const text = bytes && decodeUtf8(bytes);
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
