/** Operator tokens (create, list, revoke), the same procedures on a national node and the liaison office. */
import { z } from 'zod';
import { createToken, listTokens, revokeToken, roleSchema } from '../../auth/tokens.js';
import { ACCESS, type Access, guard } from '../access.js';
import { router } from '../trpc.js';

/** The tokens router guarded by `access` (an administrator's rule); roles are checked against that node's kind. */
export function tokensRouterFor(access: Extract<Access, 'bureau.admin' | 'liaison.admin'>) {
  const admin = guard(access);
  const nodeRole = ACCESS[access].node;
  return router({
    create: admin
      .input(z.strictObject({ name: z.string().trim().min(1).max(100), role: roleSchema }))
      .mutation(({ ctx, input }) => createToken(ctx.node.db, { ...input, nodeRole, now: ctx.node.clock.now() })),
    list: admin.query(async ({ ctx }) =>
      (await listTokens(ctx.node.db)).map((t) => ({
        id: t.id,
        name: t.name,
        role: t.role,
        createdAt: Number(t.created_at),
        revokedAt: t.revoked_at === null ? null : Number(t.revoked_at),
        /** The token the caller is signed in with: revoking it ends the caller's own session. */
        current: t.id === ctx.principal.tokenId,
      })),
    ),
    revoke: admin.input(z.strictObject({ id: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
      await revokeToken(ctx.node.db, input.id, ctx.node.clock.now());
      return { revoked: input.id };
    }),
  });
}
