/**
 * The keys a node trusts, taken from a verified directory: kid → owner, validity and revocation.
 * Public keys are imported once per kid and cached, so verification never re-imports a key.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Directory, Ed25519Jwk } from './messages/directory.js';

export type VerificationKey = KeyObject;

export interface TrustedKey {
  kid: string;
  country: string;
  role: 'national' | 'liaison';
  jwk: Ed25519Jwk;
  nbf: number;
  exp: number;
}

export interface TrustStore {
  serial: number;
  find(kid: string): TrustedKey | undefined;
  revocation(kid: string): { at: number; reason: string } | undefined;
  /** Whether `party` is a member of the federation in this directory. */
  isMember(party: string): boolean;
  /** The Ed25519 public key as a node:crypto KeyObject (cached). */
  publicKey(key: TrustedKey): VerificationKey;
}

export function createTrustStore(directory: Directory): TrustStore {
  const keys = new Map<string, TrustedKey>();
  for (const member of directory.members) {
    for (const k of member.keys) {
      keys.set(k.kid, { kid: k.kid, country: member.country, role: member.role, jwk: k.jwk, nbf: k.nbf, exp: k.exp });
    }
  }
  const revoked = new Map(directory.revoked.map((r) => [r.kid, { at: r.at, reason: r.reason }]));
  const members = new Set(directory.members.map((m) => m.country));
  const imported = new Map<string, VerificationKey>();
  return {
    serial: directory.serial,
    find: (kid) => keys.get(kid),
    revocation: (kid) => revoked.get(kid),
    isMember: (party) => members.has(party),
    publicKey(key) {
      let imported_ = imported.get(key.kid);
      if (!imported_) {
        imported_ = createPublicKey({ key: key.jwk, format: 'jwk' });
        imported.set(key.kid, imported_);
      }
      return imported_;
    },
  };
}
