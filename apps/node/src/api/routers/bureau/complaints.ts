/** bureau.complaints: the victim's complaint, local to this node. */
import { z } from 'zod';
import {
  complaintInput,
  complaintsInput,
  createComplaint,
  getComplaint,
  importComplaints,
  listComplaints,
} from '../../../intake/complaints.js';
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
  list: reader
    .input(z.strictObject({ limit: z.int().min(1).max(500).default(100), before: z.int().optional() }).default({ limit: 100 }))
    .query(({ ctx, input }) => listComplaints(ctx.node.db, input)),
  get: reader.input(z.strictObject({ id: z.uuid() })).query(({ ctx, input }) => getComplaint(ctx.node.db, input.id)),
});
