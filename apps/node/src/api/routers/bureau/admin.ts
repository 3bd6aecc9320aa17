/** bureau admin procedures: tokens, keys, dead letters, audit and metrics. */
import { z } from 'zod';
import { auditHeadSchema } from '../../../audit/audit-head.js';
import { verifyAudit } from '../../../audit/audit-log.js';
import { createToken, listTokens, revokeToken, roleSchema } from '../../../auth/tokens.js';
import { seconds } from '../../../clock.js';
import { NodeError } from '../../../errors.js';
import { rotateKey } from '../../../keys/rotation.js';
import { depthByPeer, listProblems, retryDead } from '../../../outbox/outbox.js';
import { listPeers } from '../../../outbox/peers.js';
import { operatorProcedure, router } from '../../trpc.js';

const admin = operatorProcedure('national', ['admin']);
const auditor = operatorProcedure('national', ['auditor', 'admin']);

export const tokensRouter = router({
  create: admin
    .input(z.strictObject({ name: z.string().trim().min(1).max(100), role: roleSchema }))
    .mutation(({ ctx, input }) => createToken(ctx.node.db, { ...input, nodeRole: 'national', now: ctx.node.clock.now() })),
  list: admin.query(({ ctx }) => listTokens(ctx.node.db)),
  revoke: admin
    .input(z.strictObject({ id: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => revokeToken(ctx.node.db, input.id, ctx.node.clock.now())),
});

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
  retry: admin.input(z.strictObject({ id: z.int().min(1) })).mutation(async ({ ctx, input }) => {
    if (!(await retryDead(ctx.node.db, input.id, ctx.node.clock.now())))
      throw new NodeError('ERR_NOT_FOUND', `no dead or rejected outbox message ${input.id}`);
    ctx.node.wakeOutbox();
    return { requeued: true };
  }),
  peers: auditor.query(({ ctx }) => listPeers(ctx.node.db)),
});

export const auditRouter = router({
  verify: auditor
    .input(z.strictObject({ expectHead: auditHeadSchema.optional() }).optional())
    .query(({ ctx, input }) => verifyAudit(ctx.node.db, { expectHead: input?.expectHead })),
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
