/** bureau.inbox: referrals received from other countries, and the status updates we send back. */
import { z } from 'zod';
import { lookUntil, MAX_WAIT_MS } from '../../../inbox/arrivals.js';
import { getReferralIn, listReferralsIn, referralsInSince } from '../../../inbox/queries.js';
import { workQueue, workQueueInput } from '../../../inbox/work-queue.js';
import { statusesInput, statusInput, updateStatus, updateStatuses } from '../../../status/status-updates.js';
import { guard } from '../../access.js';
import { router } from '../../trpc.js';

const officer = guard('bureau.act');
const reader = guard('bureau.read');

export const inboxRouter = router({
  list: reader
    .input(
      z
        .strictObject({
          limit: z.int().min(1).max(1000).default(200),
          before: z.int().optional(),
          /** Only referrals not yet closed or declined (the bureau's work queue). */
          open: z.boolean().optional(),
        })
        .default({ limit: 200 }),
    )
    .query(({ ctx, input }) => listReferralsIn(ctx.node.db, input, ctx.node.clock.now())),
  /**
   * Referrals received after a cursor (the `next` of the previous call), oldest first, in any state:
   * for a bureau's case system that keeps its own copy in step rather than reading the inbox again.
   * With `waitMs`, a call that finds nothing waits up to that long and answers as soon as a referral
   * comes (a long poll: news at once, and no asking again and again while nothing comes).
   */
  since: reader
    .input(
      z.strictObject({
        after: z.strictObject({ receivedAt: z.int().min(0), id: z.uuid() }).optional(),
        limit: z.int().min(1).max(1000).default(500),
        waitMs: z.int().min(0).max(MAX_WAIT_MS).default(0),
      }),
    )
    .query(({ ctx, input, signal }) =>
      lookUntil(
        ctx.node.arrivals,
        input.waitMs,
        signal,
        () => referralsInSince(ctx.node.db, input, ctx.node.clock.now()),
        (answer) => answer.items.length > 0,
      ),
    ),
  /** The work queue: filtered, sorted by deadline, with counts per state. */
  queue: reader.input(workQueueInput).query(({ ctx, input }) => workQueue(ctx.node.db, input, ctx.node.clock.now())),
  get: reader.input(z.strictObject({ id: z.uuid() })).query(({ ctx, input }) => getReferralIn(ctx.node.db, input.id, ctx.node.clock.now())),
  updateStatus: officer.input(statusInput).mutation(({ ctx, input }) => updateStatus(ctx.node, input)),
  /** Up to 500 updates in one call, each answered on its own ({ ok, id } or { ok: false, code, message }). */
  updateStatuses: officer.input(statusesInput).mutation(({ ctx, input }) => updateStatuses(ctx.node, input)),
});
