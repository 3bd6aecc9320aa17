/**
 * The envelopes the kit's checks are made of: a valid referral from one kit country to the target
 * (fresh id and evidence every call), its header, one signed by hand with any header or key, and a
 * signature forged by one bit. Every check builds its own envelopes from these, so none depends on
 * bytes another check made.
 */
import { createHash } from 'node:crypto';
import { JWS_TYP, type SigningKey, uuidv7 } from '@firstlight/protocol';
import { KIT_KEYS } from './keys.js';
import { manual, nowSeconds } from './probe.js';

let ipCounter = 0;

/** A valid referral from kit country `from` to `to`, fresh id and evidence every call. */
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

/** What to change from a valid referral signed by country A's key. */
export interface Signed {
  /** Members of the payload to override. */
  over?: Record<string, unknown>;
  key?: SigningKey;
  /** Members of the header to override or add. */
  header?: Record<string, unknown>;
}

/** A referral from `from` to `to`, signed by hand (so that it can carry what a JOSE library refuses to). */
export function signedReferral(from: string, to: string, { over = {}, key = KIT_KEYS.a, header = {} }: Signed = {}): string {
  return manual(referralHeader(key, header), kitReferral(from, to, over), key);
}

/** The same envelope but for one bit of its signature (still 64 bytes, still canonical base64url). */
export function forgeSignature(jws: string): string {
  const dot = jws.lastIndexOf('.') + 1;
  const signature = Buffer.from(jws.slice(dot), 'base64url');
  signature[10] = (signature[10] ?? 0) ^ 1;
  return `${jws.slice(0, dot)}${signature.toString('base64url')}`;
}
