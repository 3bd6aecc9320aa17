/** bureau.referrals: referrals this country sends, with their delivery state. */
import { z } from 'zod';
import { getReferralOut, listReferralsOut } from '../../../referrals/queries.js';
import { createReferral, createReferrals, previewRoute, referralInput, referralsInput } from '../../../referrals/referrals.js';
import { guard } from '../../access.js';
import { router } from '../../trpc.js';

const officer = guard('bureau.act');
const reader = guard('bureau.read');

export const referralsRouter = router({
  route: officer
    .input(z.strictObject({ ip: z.string().min(1).max(60) }))
    .query(({ ctx, input }) => previewRoute(ctx.node, ctx.services.routing(), input.ip)),
  create: officer
    .input(referralInput)
    .mutation(({ ctx, input }) => createReferral(ctx.node, ctx.services.routing(), input, ctx.principal.name)),
  /** Up to 500 referrals in one call, each answered on its own ({ ok, id, to } or { ok: false, code, message }). */
  createMany: officer
    .input(referralsInput)
    .mutation(({ ctx, input }) => createReferrals(ctx.node, ctx.services.routing(), input, ctx.principal.name)),
  list: reader
    .input(
      z
        .strictObject({ limit: z.int().min(1).max(1000).default(200), before: z.int().optional(), complaintId: z.uuid().optional() })
        .default({ limit: 200 }),
    )
    .query(({ ctx, input }) => listReferralsOut(ctx.node.db, input)),
  get: reader.input(z.strictObject({ id: z.uuid() })).query(({ ctx, input }) => getReferralOut(ctx.node.db, input.id)),
});
