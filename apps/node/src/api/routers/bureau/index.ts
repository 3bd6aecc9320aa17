/** The bureau router: a national node's own operators. */
import { accessOf, rulesOf } from '../../access.js';
import { anyOperatorProcedure, router } from '../../trpc.js';
import { auditRouter, keysRouter, metricsProcedure, outboxRouter, tokensRouter } from './admin.js';
import { complaintsRouter } from './complaints.js';
import { inboxRouter } from './inbox.js';
import { privacyRouter } from './privacy.js';
import { referralsRouter } from './referrals.js';

export const bureauRouter = router({
  complaints: complaintsRouter,
  referrals: referralsRouter,
  inbox: inboxRouter,
  tokens: tokensRouter,
  keys: keysRouter,
  outbox: outboxRouter,
  audit: auditRouter,
  privacy: privacyRouter,
  metrics: metricsProcedure,
});

/** Who am I: any valid token of this node, whatever its role (the console uses it to pick its views). */
export const sessionRouter = router({
  whoami: anyOperatorProcedure.query(({ ctx }) => ({
    party: ctx.node.config.party,
    name: ctx.node.config.name,
    nodeRole: ctx.node.config.role,
    role: ctx.principal.role,
    tokenName: ctx.principal.name,
    directorySerial: ctx.node.directory.serial,
    /** The access rules (api/access.ts) this token passes: the console shows the pages they open. */
    access: accessOf(ctx.node.config.role, ctx.principal.role),
    /** Every rule of this node with the roles it admits (to say who may open what). */
    rules: rulesOf(ctx.node.config.role),
  })),
});
