/**
 * TLS key pins (PROTOCOL.md §2.4.1): base64url SHA-256 of a key's DER SubjectPublicKeyInfo, and which
 * pins the held directory lists for a party or for any member. A pin is public; it names a key, it
 * never proves possession (the TLS handshake does that).
 */
import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import type { DirectoryClient } from '../directory/directory-client.js';

export function spkiPin(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

/** The pin of the key in a DER certificate (what a TLS peer presented), or null when there is none. */
export function certificatePin(raw: Buffer | undefined): string | null {
  if (!raw || raw.length === 0) return null;
  try {
    return spkiPin(new X509Certificate(raw).publicKey);
  } catch {
    return null;
  }
}

/** The pins the held directory lists for `party` (empty when it lists none, or holds no directory). */
export function pinsOf(directory: DirectoryClient, party: string): string[] {
  return directory.member(party)?.tlsPins ?? [];
}

/** Every member's pins, each mapped to its party: whom the federation listener lets in. */
export function memberPins(directory: DirectoryClient): Map<string, string> {
  const pins = new Map<string, string>();
  for (const member of directory.current()?.directory.members ?? []) for (const pin of member.tlsPins ?? []) pins.set(pin, member.country);
  return pins;
}
