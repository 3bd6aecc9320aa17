/** bureau.complaints: the victim's complaint, local to this node. */
import { z } from 'zod';
import { complaintInput, complaintsInput, createComplaint, importComplaints, listComplaints } from '../../../intake/complaints.js';
import { operatorOf } from '../../../privacy/purpose.js';
import { openComplaint } from '../../../privacy/reads.js';
import { guard } from '../../access.js';
import { router } from '../../trpc.js';

const officer = guard('bureau.act');
const reader = guard('bureau.read');

export const complaintsRouter = router({
  create: officer
    .input(complaintInput)
    .mutation(({ ctx, input }) => createComplaint(ctx.node.db, input, ctx.principal.name, ctx.node.clock.now())),
  /**
   * Up to 500 complaints in one transaction (an import from the national reporting portal), each with
   * up to 8 evidence files inline (base64): all or none. Answers { ids, evidence } (digests per complaint).
   */
  createMany: officer
    .input(complaintsInput)
    .mutation(({ ctx, input }) => importComplaints(ctx.node, input, ctx.principal.name, ctx.node.clock.now())),
  /** Summaries without personal data (no name, contact or narrative): opening one is `get`, with a purpose. */
  list: reader
    .input(z.strictObject({ limit: z.int().min(1).max(500).default(100), before: z.int().optional() }).default({ limit: 100 }))
    .query(({ ctx, input }) => listComplaints(ctx.node.db, input)),
  /**
   * One complaint with its personal data. `purpose` (a case reference) is required: without one the
   * read is refused (ERR_PURPOSE_REQUIRED); with one it is recorded in the privacy log and audit chain.
   */
  get: reader
    .input(z.strictObject({ id: z.uuid(), purpose: z.string().max(200).optional() }))
    .query(({ ctx, input }) =>
      openComplaint({ db: ctx.node.db, operator: operatorOf(ctx.principal), purpose: input.purpose, now: ctx.node.clock.now() }, input.id),
    ),
});
