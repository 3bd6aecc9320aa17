/**
 * bureau.privacy: the data-protection officer's and the reviewer's procedures. The access log of a
 * complaint or received referral (auditor, admin), items past their review date (auditor, admin),
 * extending a review or erasing (admin). Thin: parse, call privacy/, answer.
 */
import { z } from 'zod';
import { eraseInput, eraseItems } from '../../../privacy/erasure.js';
import { privacyHistory } from '../../../privacy/log.js';
import { operatorOf } from '../../../privacy/purpose.js';
import { dueForReview, extendInput, extendReview } from '../../../privacy/retention.js';
import { guard } from '../../access.js';
import { router } from '../../trpc.js';

const auditor = guard('bureau.privacy');
const reviewer = guard('bureau.review');

export const privacyRouter = router({
  /** Who read, extended or erased this complaint (or received referral), when and why; each record checked against the audit chain. */
  access: auditor.input(z.strictObject({ id: z.uuid() })).query(({ ctx, input }) => privacyHistory(ctx.node.db, input.id)),
  /** Complaints and closed received referrals past their review date, oldest first (identifiers and dates only). */
  due: auditor
    .input(z.strictObject({ limit: z.int().min(1).max(500).default(200) }).default({ limit: 200 }))
    .query(({ ctx, input }) => dueForReview(ctx.node, ctx.node.clock.now(), input.limit)),
  extend: reviewer
    .input(extendInput)
    .mutation(({ ctx, input }) => extendReview(ctx.node, input, operatorOf(ctx.principal), ctx.node.clock.now())),
  /** Erases up to 500 items, all or none, then purges storage (OPERATIONS.md §8). */
  erase: reviewer
    .input(eraseInput)
    .mutation(({ ctx, input }) => eraseItems(ctx.node, input, operatorOf(ctx.principal), ctx.node.clock.now())),
});
