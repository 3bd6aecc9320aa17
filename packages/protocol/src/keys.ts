/**
 * Ed25519 keys: generation, import/export (JWK, PKCS#8 PEM) and the RFC 7638 thumbprint used as kid.
 * Private keys are never logged or serialised by anything here except exportPrivatePem/exportPrivateJwk.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ProtocolError } from './errors.js';
import { type Ed25519Jwk, ed25519Jwk } from './messages/directory.js';

export interface SigningKey {
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  publicJwk: Ed25519Jwk;
  privateKey: KeyObject;
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace. */
export function jwkThumbprint(jwk: Ed25519Jwk): string {
  const canonical = `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

function publicJwkOf(key: KeyObject): Ed25519Jwk {
  if (key.asymmetricKeyType !== 'ed25519') throw new ProtocolError('ERR_KEY_INVALID', 'only Ed25519 keys are accepted');
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const parsed = ed25519Jwk.safeParse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });
  if (!parsed.success) throw new ProtocolError('ERR_KEY_INVALID', 'the key is not a valid Ed25519 public key');
  return parsed.data;
}

function signingKeyFrom(privateKey: KeyObject): SigningKey {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519')
    throw new ProtocolError('ERR_KEY_INVALID', 'expected an Ed25519 private key');
  const publicJwk = publicJwkOf(privateKey);
  return { kid: jwkThumbprint(publicJwk), publicJwk, privateKey };
}

export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signingKeyFrom(privateKey);
}

/** Deterministic key from a 32-byte seed (test vectors and simulations only). */
export function signingKeyFromSeed(seed: Uint8Array): SigningKey {
  if (seed.length !== 32) throw new ProtocolError('ERR_KEY_INVALID', 'an Ed25519 seed is 32 bytes');
  // PKCS#8 prefix for an Ed25519 private key (RFC 8410), followed by the 32-byte seed.
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  const privateKey = createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' });
  return signingKeyFrom(privateKey);
}

export function exportPrivatePem(key: SigningKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function importPrivatePem(pem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new ProtocolError('ERR_KEY_INVALID', 'the file is not a PKCS#8 PEM private key');
  }
  return signingKeyFrom(privateKey);
}

export function exportPrivateJwk(key: SigningKey): Ed25519Jwk & { d: string } {
  const jwk = key.privateKey.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string') throw new ProtocolError('ERR_KEY_INVALID', 'the private key has no d');
  return { ...key.publicJwk, d: jwk.d };
}

export function importPrivateJwk(jwk: unknown): SigningKey {
  let privateKey: KeyObject;
  try {
    if (typeof jwk !== 'object' || jwk === null) throw new Error('not an object');
    privateKey = createPrivateKey({ key: jwk as Parameters<typeof createPrivateKey>[0] & object, format: 'jwk' } as never);
  } catch {
    throw new ProtocolError('ERR_KEY_INVALID', 'the JWK is not an Ed25519 private key');
  }
  return signingKeyFrom(privateKey);
}

/** Validates a public JWK and returns it with its kid. */
export function importPublicJwk(jwk: unknown): { kid: string; jwk: Ed25519Jwk } {
  const parsed = ed25519Jwk.safeParse(jwk);
  if (!parsed.success) throw new ProtocolError('ERR_KEY_INVALID', 'the JWK is not an Ed25519 public key (kty OKP, crv Ed25519, x)');
  try {
    createPublicKey({ key: parsed.data, format: 'jwk' });
  } catch {
    throw new ProtocolError('ERR_KEY_INVALID', 'the JWK x is not a valid Ed25519 point');
  }
  return { kid: jwkThumbprint(parsed.data), jwk: parsed.data };
}
