/**
 * A node's TLS identity: an ECDSA P-256 key and a self-signed X.509 v3 certificate for it, written as
 * <data>/tls/key.pem (0600) and <data>/tls/cert.pem. Trust never comes from the certificate's issuer,
 * names or dates: peers trust the key because the signed directory lists its pin (pins.ts). The
 * certificate exists only because TLS carries keys in certificates.
 *
 * node:crypto parses certificates but cannot make one, so this file DER-encodes the few fields a
 * certificate needs (RFC 5280 §4.1) and signs them with node:crypto — no dependency for ~60 lines.
 * It must never write the private key with any mode but 0600, nor log it.
 */

import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeError } from '../errors.js';
import { spkiPin } from './pins.js';

export interface TlsIdentity {
  keyPem: string;
  certPem: string;
  /** base64url SHA-256 of the key's DER SubjectPublicKeyInfo: what the directory lists. */
  pin: string;
}

export function tlsDir(dataDir: string): string {
  return join(dataDir, 'tls');
}

/** The identity in <data>/tls (or `sub`, e.g. tls/next), or null when there is none. */
export function loadTlsIdentity(dataDir: string, sub = ''): TlsIdentity | null {
  const keyFile = join(tlsDir(dataDir), sub, 'key.pem');
  const certFile = join(tlsDir(dataDir), sub, 'cert.pem');
  if (!existsSync(keyFile) || !existsSync(certFile)) return null;
  const keyPem = readFileSync(keyFile, 'utf8');
  const certPem = readFileSync(certFile, 'utf8');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('mismatch');
  } catch {
    throw new NodeError('ERR_CONFIG', `${tlsDir(dataDir)} holds a TLS key and certificate that do not match: restore them from a backup`);
  }
  return { keyPem, certPem, pin: spkiPin(cert.publicKey) };
}

/** Loads the node's TLS identity, creating it (once) when there is none. */
export function ensureTlsIdentity(dataDir: string, commonName: string, now: Date = new Date()): TlsIdentity {
  return loadTlsIdentity(dataDir) ?? writeIdentity(join(tlsDir(dataDir)), createTlsIdentity(commonName, now));
}

/**
 * A TLS key rotation's first step: the next key in <data>/tls/next, beside the one served (made once;
 * asked again, the same one). It is served only once a directory lists its pin (promoteNextTlsIdentity).
 */
export function ensureNextTlsIdentity(dataDir: string, commonName: string): TlsIdentity {
  if (!loadTlsIdentity(dataDir)) throw new NodeError('ERR_CONFIG', `${tlsDir(dataDir)} holds no TLS key to rotate from`);
  return loadTlsIdentity(dataDir, 'next') ?? writeIdentity(join(tlsDir(dataDir), 'next'), createTlsIdentity(commonName));
}

/**
 * At open: when the directory pins the key in tls/next for this node, it becomes the key served and the
 * old one moves to tls/previous (kept for a roll-back, served by nobody). Returns the key now served.
 */
export function promoteNextTlsIdentity(dataDir: string, pinned: readonly string[]): TlsIdentity | null {
  const next = loadTlsIdentity(dataDir, 'next');
  if (!next || !pinned.includes(next.pin)) return null;
  const dir = tlsDir(dataDir);
  rmSync(join(dir, 'previous'), { recursive: true, force: true });
  mkdirSync(join(dir, 'previous'), { mode: 0o700 });
  for (const file of ['key.pem', 'cert.pem']) renameSync(join(dir, file), join(dir, 'previous', file));
  for (const file of ['key.pem', 'cert.pem']) renameSync(join(dir, 'next', file), join(dir, file));
  rmSync(join(dir, 'next'), { recursive: true, force: true });
  return loadTlsIdentity(dataDir);
}

function writeIdentity(dir: string, identity: TlsIdentity): TlsIdentity {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, identity.keyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(join(dir, 'cert.pem'), identity.certPem, { mode: 0o644 });
  return identity;
}

/** A fresh P-256 key and a self-signed certificate for it (ten years: expiry is not what trust rests on). */
export function createTlsIdentity(commonName: string, now: Date = new Date()): TlsIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const name = seq(set(seq(oid(OID_COMMON_NAME), tlv(0x0c, Buffer.from(commonName.slice(0, 64), 'utf8')))));
  const serial = randomBytes(16);
  // A positive INTEGER in minimal DER: high bit clear, and never a leading 0x00 (with a next byte under
  // 0x80 that is a non-minimal encoding OpenSSL refuses: one certificate in 256, one start in ten of 24 nodes).
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const notBefore = new Date(now.getTime() - 3600_000);
  const notAfter = new Date(now.getTime() + 10 * 365 * 86400_000);
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // version v3
    tlv(0x02, serial),
    seq(oid(OID_ECDSA_SHA256)),
    name,
    seq(utcTime(notBefore), utcTime(notAfter)),
    name,
    spki,
  );
  const signature = sign('sha256', tbs, privateKey); // DER ECDSA-Sig-Value, as X.509 wants
  const der = seq(tbs, seq(oid(OID_ECDSA_SHA256)), tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const certPem = `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)
    ?.join('\n')}\n-----END CERTIFICATE-----\n`;
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certPem,
    pin: spkiPin(publicKey),
  };
}

// DER, only what a certificate needs (X.690): definite lengths, primitive and constructed TLVs.
const OID_COMMON_NAME = [2, 5, 4, 3];
const OID_ECDSA_SHA256 = [1, 2, 840, 10045, 4, 3, 2];

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

function seq(...parts: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(parts));
}

function set(...parts: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(parts));
}

function oid(arcs: number[]): Buffer {
  const [a = 0, b = 0, ...rest] = arcs;
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  // UTCTime (YYMMDDHHMMSSZ) serves dates before 2050 (RFC 5280 §4.1.2.5).
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  return tlv(0x17, Buffer.from(`${text}Z`, 'ascii'));
}
