/** The receipt: the recipient's signed word that it received exact bytes, and what it made of them. */
import { z } from 'zod';
import { evidenceDigest, messageId, numericDate, partyCode, version } from './common.js';

export const receiptSchema = z
  .strictObject({
    v: version,
    id: messageId,
    from: partyCode,
    /** The sender of the message receipted; null when the bytes could not be attributed to anyone. */
    to: partyCode.nullable(),
    iat: numericDate,
    ref: z.strictObject({
      /** The id of the message receipted; null when it could not be read. */
      id: messageId.nullable(),
      /** SHA-256 of the exact JWS bytes received. */
      digest: evidenceDigest,
    }),
    verdict: z.enum(['accepted', 'rejected']),
    code: z
      .string()
      .regex(/^ERR_[A-Z0-9_]{1,60}$/)
      .optional(),
  })
  .superRefine((m, ctx) => {
    if (m.verdict === 'rejected' && m.code === undefined)
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'a rejection must carry its error code' });
    if (m.verdict === 'accepted' && m.code !== undefined)
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'an acceptance carries no error code' });
  });

export type Receipt = z.infer<typeof receiptSchema>;
