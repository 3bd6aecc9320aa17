/** The kit's fixed identities: its directory authority, liaison office, fake countries and their keys. */
import { createHash } from 'node:crypto';
import { type SigningKey, signingKeyFromSeed } from '@firstlight/protocol';

const seed = (label: string) => new Uint8Array(createHash('sha256').update(`firstlight-conformance-kit:${label}`).digest());

/** The kit's fixed keys: the authority's thumbprint is the anchor the target pins. */
export const KIT_KEYS = {
  authority: signingKeyFromSeed(seed('authority')),
  liaison: signingKeyFromSeed(seed('liaison')),
  a: signingKeyFromSeed(seed('country-a')),
  b: signingKeyFromSeed(seed('country-b')),
  /** Country C's only key, valid from 10 days before each publication (a message dated earlier is refused). */
  late: signingKeyFromSeed(seed('country-c-late')),
  revoked: signingKeyFromSeed(seed('country-a-revoked')),
  outsider: signingKeyFromSeed(seed('outsider')),
};
export const KIT_ANCHOR = KIT_KEYS.authority.kid;

/** Country A's rotating key pair for a run that started at `label` (its first serial): fresh every run. */
export function rotationKeys(label: number): { old: SigningKey; new: SigningKey } {
  return { old: signingKeyFromSeed(seed(`rotation-old:${label}`)), new: signingKeyFromSeed(seed(`rotation-new:${label}`)) };
}

/** Three fake countries, distinct from the target. */
export function fakeCountries(target: string): [string, string, string] {
  const pool = ['TH', 'VN', 'KH', 'MY'].filter((c) => c !== target);
  return [pool[0] as string, pool[1] as string, pool[2] as string];
}
