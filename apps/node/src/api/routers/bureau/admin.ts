/** bureau admin procedures: tokens, keys, dead letters, audit and metrics. */

import { partyCode } from '@firstlight/protocol';
import { z } from 'zod';
import { auditHeadSchema } from '../../../audit/audit-head.js';
import { verifyAudit } from '../../../audit/audit-log.js';
import { auditBrowseInput, browseAudit } from '../../../audit/browse.js';
import { deepCheck } from '../../../audit/deep-check.js';
import { seconds } from '../../../clock.js';
import { NodeError } from '../../../errors.js';
import { rotateKey } from '../../../keys/rotation.js';
import { depthByPeer, listProblems, retryNow } from '../../../outbox/outbox.js';
import { listPeers } from '../../../outbox/peers.js';
import { guard } from '../../access.js';
import { router } from '../../trpc.js';
import { tokensRouterFor } from '../tokens.js';

const admin = guard('bureau.admin');
const auditor = guard('bureau.audit');

export const tokensRouter = tokensRouterFor('bureau.admin');

export const keysRouter = router({
  list: admin.query(({ ctx }) => {
    const trust = ctx.node.directory.current()?.trust;
    return ctx.node.keys.list().map((k) => ({
      kid: k.kid,
      nbf: k.nbf,
      exp: k.exp,
      published: trust?.find(k.kid) !== undefined,
      revoked: trust?.revocation(k.kid) !== undefined,
    }));
  }),
  rotate: admin.mutation(({ ctx }) => rotateKey(ctx.node)),
});

export const outboxRouter = router({
  depth: auditor.query(({ ctx }) => depthByPeer(ctx.node.db)),
  problems: auditor
    .input(z.strictObject({ limit: z.int().min(1).max(500).default(100) }).default({ limit: 100 }))
    .query(({ ctx, input }) => listProblems(ctx.node.db, input.limit)),
  /** Retry now: one message ({ id }) or a peer's whole queue ({ peer }). */
  retry: admin
    .input(z.union([z.strictObject({ id: z.int().min(1) }), z.strictObject({ peer: partyCode })]))
    .mutation(async ({ ctx, input }) => {
      const due = await retryNow(ctx.node.db, input, ctx.node.clock.now());
      if ('id' in input && due === 0)
        throw new NodeError('ERR_NOT_FOUND', `no outbox message ${input.id} waiting or stopped (delivered, or being delivered right now)`);
      ctx.node.wakeOutbox();
      return { requeued: true, due };
    }),
  peers: auditor.query(({ ctx }) => listPeers(ctx.node.db)),
});

export const auditRouter = router({
  /** The log a page at a time, newest first, by kind and time (the console's audit page). */
  list: auditor.input(auditBrowseInput).query(({ ctx, input }) => browseAudit(ctx.node.db, input)),
  verify: auditor
    .input(z.strictObject({ expectHead: auditHeadSchema.optional(), deep: z.boolean().optional() }).optional())
    .query(async ({ ctx, input }) => {
      const chain = await verifyAudit(ctx.node.db, { expectHead: input?.expectHead });
      return input?.deep ? { ...chain, deep: await deepCheck(ctx.node) } : chain;
    }),
  export: auditor
    .input(
      z
        .strictObject({ after: z.int().min(0).default(0), limit: z.int().min(1).max(5000).default(1000) })
        .default({ after: 0, limit: 1000 }),
    )
    .query(({ ctx, input }) =>
      ctx.node.db.selectFrom('audit').selectAll().where('seq', '>', input.after).orderBy('seq').limit(input.limit).execute(),
    ),
});

export const metricsProcedure = auditor.query(async ({ ctx }) => ({
  now: seconds(ctx.node.clock.now()),
  metrics: await ctx.node.metrics.registry.getMetricsAsJSON(),
}));
