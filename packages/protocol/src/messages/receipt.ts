/**
 * Receipts: the recipient's signed word that it received exact bytes, and what it made of them. One
 * receipt per message, or one receipt batch for a whole delivery (PROTOCOL.md §2.3, §5.1): the same
 * verdict per envelope, one signature.
 */
import { z } from 'zod';
import { evidenceDigest, messageId, numericDate, partyCode, version } from './common.js';

/** The most envelopes one delivery (and so one receipt batch) carries. */
export const MAX_BATCH = 500;

/** What a receipt says of one message: which exact bytes, and the verdict. */
const verdictShape = {
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
};

function codeRule(m: { verdict: 'accepted' | 'rejected'; code?: string | undefined }, ctx: z.RefinementCtx, path: PropertyKey[]): void {
  if (m.verdict === 'rejected' && m.code === undefined)
    ctx.addIssue({ code: 'custom', path: [...path, 'code'], message: 'a rejection must carry its error code' });
  if (m.verdict === 'accepted' && m.code !== undefined)
    ctx.addIssue({ code: 'custom', path: [...path, 'code'], message: 'an acceptance carries no error code' });
}

/** Who answers, to whom and when: the same in a receipt and in a receipt batch. */
const headShape = {
  v: version,
  id: messageId,
  /** The receiving party. */
  from: partyCode,
  /**
   * The sender of the message(s) receipted; null when the bytes could not be attributed to anyone (in
   * a batch: when none could, or when they came from several parties).
   */
  to: partyCode.nullable(),
  iat: numericDate,
};

export const receiptSchema = z.strictObject({ ...headShape, ...verdictShape }).superRefine((m, ctx) => codeRule(m, ctx, []));

export type Receipt = z.infer<typeof receiptSchema>;

export const receiptBatchSchema = z
  .strictObject({
    ...headShape,
    /** One verdict per envelope delivered, in the order they were delivered. */
    receipts: z.array(z.strictObject(verdictShape)).min(1).max(MAX_BATCH),
  })
  .superRefine((m, ctx) => {
    m.receipts.forEach((r, i) => {
      codeRule(r, ctx, ['receipts', i]);
    });
  });

export type ReceiptBatch = z.infer<typeof receiptBatchSchema>;
/** One entry of a receipt batch. */
export type BatchVerdict = ReceiptBatch['receipts'][number];
