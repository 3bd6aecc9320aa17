/** Signing: validate against the schema first (never sign what a peer would reject), then compact JWS. */
import { sign as ed25519Sign } from 'node:crypto';
import { keep } from './bounded.js';
import { ProtocolError } from './errors.js';
import type { SigningKey } from './keys.js';
import { KINDS, type MessageByType } from './kinds.js';
import { JWS_TYP, type MessageType } from './messages/common.js';
import { zodIssueSummary } from './schema-errors.js';

/**
 * Signs raw payload bytes without validation (test vectors use this to build invalid cases): a compact
 * JWS (RFC 7515) with the protected header {alg, kid, typ, ...extra} in that order, EdDSA over
 * `header.payload` (RFC 8037), straight through node:crypto. Ed25519 is deterministic, so the same
 * key and bytes always give the same JWS.
 */
export function signBytesSync(typ: string, payload: Uint8Array, key: SigningKey, extraHeader?: Record<string, unknown>): string {
  return signEncoded(headerFor(typ, key.kid, extraHeader), Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), key);
}

function signEncoded(header: string, payload: Buffer, key: SigningKey): string {
  const signingInput = `${header}.${payload.toString('base64url')}`;
  const signature = ed25519Sign(null, Buffer.from(signingInput, 'latin1'), key.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** A signer writes the same protected header for every message of a kind and key: encoded once, kept (bounded). */
const headers = new Map<string, string>();

function headerFor(typ: string, kid: string, extraHeader?: Record<string, unknown>): string {
  if (extraHeader && Object.keys(extraHeader).length > 0) return encodeHeader(typ, kid, extraHeader);
  const cacheKey = `${kid} ${typ}`;
  return headers.get(cacheKey) ?? keep(headers, 256, cacheKey, encodeHeader(typ, kid));
}

function encodeHeader(typ: string, kid: string, extraHeader?: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ alg: 'EdDSA', kid, typ, ...extraHeader }), 'utf8').toString('base64url');
}

export async function signBytes(typ: string, payload: Uint8Array, key: SigningKey, extraHeader?: Record<string, unknown>): Promise<string> {
  return signBytesSync(typ, payload, key, extraHeader);
}

/** Validates against the schema, then signs; throws ERR_SCHEMA rather than sign what a peer would reject. */
export function signMessageSync<T extends MessageType>(type: T, message: MessageByType[T], key: SigningKey): string {
  const parsed = KINDS[type].schema.safeParse(message);
  if (!parsed.success) throw new ProtocolError('ERR_SCHEMA', `refusing to sign an invalid ${type}: ${zodIssueSummary(parsed.error)}`);
  return signEncoded(headerFor(JWS_TYP[type], key.kid), Buffer.from(JSON.stringify(parsed.data), 'utf8'), key);
}

export async function signMessage<T extends MessageType>(type: T, message: MessageByType[T], key: SigningKey): Promise<string> {
  return signMessageSync(type, message, key);
}
