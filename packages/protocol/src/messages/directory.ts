/** The federation directory, signed by the liaison office's authority key. */
import { z } from 'zod';
import { countryCode, isoDate, LIAISON_PARTY, numericDate, partyCode, slug, version } from './common.js';

export const ed25519Jwk = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be 32 bytes, base64url without padding' }),
});

export const kid = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be an RFC 7638 SHA-256 JWK thumbprint' });

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
    v: version,
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
