/** The referral: the only thing about a case that crosses a border. Nothing personal fits in it. */
import { z } from 'zod';
import {
  action,
  countryCode,
  evidenceDigest,
  messageId,
  numericDate,
  repeats,
  routableIp,
  slug,
  urgency,
  utcTimestamp,
  version,
} from './common.js';

/** A referral may live at most 90 days. */
export const MAX_REFERRAL_LIFETIME_SECONDS = 90 * 24 * 3600;

export const referralSchema = z
  .strictObject({
    v: version,
    id: messageId,
    from: countryCode,
    to: countryCode,
    iat: numericDate,
    exp: numericDate,
    ip: routableIp,
    port: z.int().min(1).max(65_535).optional(),
    seenAt: utcTimestamp,
    evidence: z.array(evidenceDigest).min(1).max(16),
    action,
    urgency,
    operation: slug,
  })
  .superRefine((m, ctx) => {
    if (m.from === m.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must differ from "from"' });
    if (m.exp <= m.iat) ctx.addIssue({ code: 'custom', path: ['exp'], message: 'must be after iat' });
    if (m.exp - m.iat > MAX_REFERRAL_LIFETIME_SECONDS)
      ctx.addIssue({ code: 'custom', path: ['exp'], message: 'must be at most 90 days after iat' });
    if (repeats(m.evidence)) ctx.addIssue({ code: 'custom', path: ['evidence'], message: 'must not repeat a digest' });
  });

export type Referral = z.infer<typeof referralSchema>;
