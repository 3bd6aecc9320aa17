/** The federation directory, signed by the liaison office's authority key. */
import { z } from 'zod';
import { countryCode, isoDate, LIAISON_PARTY, numericDate, partyCode, repeats, slug } from './common.js';

export const ed25519Jwk = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be 32 bytes, base64url without padding' }),
});

export const kid = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be an RFC 7638 SHA-256 JWK thumbprint' });

/**
 * A TLS public-key pin: base64url (no padding) of the SHA-256 of the DER SubjectPublicKeyInfo of the
 * member's TLS key (directory v2, PROTOCOL.md §2.4.1). Nodes talk TLS only to a peer whose key has a pin.
 */
export const tlsPin = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be the base64url SHA-256 of a DER SubjectPublicKeyInfo' });

/** Directory versions: 1 (no TLS pins) and 2 (v1 plus members[].tlsPins). */
export const directoryVersion = z.union([z.literal(1), z.literal(2)]);

export const memberKeySchema = z
  .strictObject({
    kid,
    jwk: ed25519Jwk,
    nbf: numericDate,
    exp: numericDate,
  })
  .refine((k) => k.exp > k.nbf, { error: 'key exp must be after nbf', path: ['exp'] });

export const memberSchema = z
  .strictObject({
    /** ISO 3166-1 alpha-2 for a national member; the reserved party code LIAISON for the liaison office. */
    country: partyCode,
    name: z.string().min(1).max(120),
    endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(300),
    role: z.enum(['national', 'liaison']),
    keys: z.array(memberKeySchema).min(1).max(8),
    /** Directory v2 only: the pins of the member's TLS keys (two during a rotation's overlap). */
    tlsPins: z.array(tlsPin).min(1).max(4).optional(),
  })
  .refine((m) => (m.role === 'liaison') === (m.country === LIAISON_PARTY), {
    error: `the liaison office, and only it, is listed under the party code ${LIAISON_PARTY}`,
    path: ['country'],
  });

export const revocationSchema = z.strictObject({
  kid,
  at: numericDate,
  reason: z.string().min(1).max(200),
});

export const operationSchema = z
  .strictObject({
    id: slug,
    name: z.string().min(1).max(120),
    start: isoDate,
    end: isoDate,
    participants: z.array(countryCode).max(250),
  })
  .refine((o) => o.end >= o.start, { error: 'operation end must not be before its start', path: ['end'] });

export const directorySchema = z
  .strictObject({
    v: directoryVersion,
    serial: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
    issuedAt: numericDate,
    expiresAt: numericDate,
    authority: ed25519Jwk,
    members: z.array(memberSchema).max(250),
    revoked: z.array(revocationSchema).max(10_000),
    operations: z.array(operationSchema).max(1000),
  })
  .superRefine((d, ctx) => {
    if (d.expiresAt <= d.issuedAt) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be after issuedAt' });
    const countries = new Set<string>();
    const kids = new Set<string>();
    d.members.forEach((m, i) => {
      if (countries.has(m.country))
        ctx.addIssue({ code: 'custom', path: ['members', i, 'country'], message: `${m.country} is listed twice` });
      countries.add(m.country);
      if (m.tlsPins && d.v < 2)
        ctx.addIssue({ code: 'custom', path: ['members', i, 'tlsPins'], message: 'TLS pins are a directory v2 member: set v to 2' });
      if (m.tlsPins && repeats(m.tlsPins))
        ctx.addIssue({ code: 'custom', path: ['members', i, 'tlsPins'], message: 'a pin is listed twice' });
      for (const k of m.keys) {
        if (kids.has(k.kid)) ctx.addIssue({ code: 'custom', path: ['members', i, 'keys'], message: `kid ${k.kid} is listed twice` });
        kids.add(k.kid);
      }
    });
  });

export type Directory = z.infer<typeof directorySchema>;
export type Member = z.infer<typeof memberSchema>;
export type MemberKey = z.infer<typeof memberKeySchema>;
export type Operation = z.infer<typeof operationSchema>;
export type Ed25519Jwk = z.infer<typeof ed25519Jwk>;
