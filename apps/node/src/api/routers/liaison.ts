/**
 * The liaison router: operation oversight (analyst, admin) and directory management (admin only).
 * Only a node in the liaison role serves it; a national node's tokens mean nothing here.
 */
import { ACTIONS, countryCode, isoDate, STATUS_STATES, slug, tlsPin } from '@firstlight/protocol';
import { z } from 'zod';
import { seconds } from '../../clock.js';
import { NodeError } from '../../errors.js';
import { addMember, createOperation, publishDirectory, pushDirectory, removeMember, revokeKey } from '../../liaison/authority.js';
import { clusters } from '../../liaison/clusters.js';
import { approveKey, pendingKeys } from '../../liaison/key-submission.js';
import { readOperationClock } from '../../liaison/operation-clock.js';
import { directoryDraft, flows, health, history, listReferrals, overview, timeline } from '../../liaison/queries.js';
import { guard } from '../access.js';
import { router } from '../trpc.js';
import { tokensRouterFor } from './tokens.js';

const reader = guard('liaison.read');
const admin = guard('liaison.admin');

const byOperation = z.strictObject({ operation: slug.optional() }).default({});
const kid = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be a key id (RFC 7638 thumbprint)' });

const directoryRouter = router({
  get: admin.query(({ ctx }) => directoryDraft(ctx.node)),
  addMember: admin
    .input(
      z.strictObject({
        country: countryCode,
        name: z.string().min(1).max(120),
        endpoint: z.url({ protocol: /^https?$/ }).max(300),
        jwk: z.unknown(),
        /**
         * The key's validity, when the office sets it (default: from a minute ago, for the key lifetime).
         * The office's word, unlike a member's own submission, may reach back (PROTOCOL.md §3.2).
         */
        nbf: z.int().min(0).optional(),
        exp: z.int().min(1).optional(),
        /** The member's TLS key pins (base64url SHA-256 of its SPKI), as its `firstlight init` prints them. */
        tlsPins: z.array(tlsPin).min(1).max(4).optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      if (input.nbf !== undefined && input.exp !== undefined && input.exp <= input.nbf)
        throw new NodeError('ERR_INPUT', 'the key exp must be after its nbf');
      return addMember(ctx.node.db, { ...input, now: ctx.node.clock.now() });
    }),
  removeMember: admin.input(z.strictObject({ country: countryCode })).mutation(async ({ ctx, input }) => {
    await removeMember(ctx.node.db, input.country);
    return { removed: input.country };
  }),
  revokeKey: admin.input(z.strictObject({ kid, reason: z.string().min(1).max(200) })).mutation(async ({ ctx, input }) => {
    await revokeKey(ctx.node.db, { ...input, now: ctx.node.clock.now() });
    return { revoked: input.kid };
  }),
  createOperation: admin
    .input(
      z.strictObject({
        id: slug.optional(),
        name: z.string().min(1).max(120),
        start: isoDate,
        end: isoDate,
        participants: z.array(countryCode).max(250),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const id =
        input.id ??
        (input.name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '')
          .slice(0, 64) ||
          'operation');
      await createOperation(ctx.node.db, { ...input, id });
      return { id };
    }),
  pendingKeys: admin.query(({ ctx }) => pendingKeys(ctx.node)),
  approveKey: admin.input(z.strictObject({ kid })).mutation(({ ctx, input }) => approveKey(ctx.node, input.kid)),
  publish: admin.input(z.strictObject({ validDays: z.int().min(1).max(365).optional() }).default({})).mutation(async ({ ctx, input }) => {
    const { serial } = await publishDirectory(ctx.node, input.validDays ? { validitySeconds: input.validDays * 86_400 } : {});
    const pushed = await pushDirectory(ctx.node, serial);
    ctx.node.logger.info({ serial, by: ctx.principal.name, notified: pushed.notified }, 'directory published');
    return { serial, notified: pushed.notified, unreachable: pushed.failed, publishedAt: seconds(ctx.node.clock.now()) };
  }),
});

export const liaisonRouter = router({
  overview: reader.input(byOperation).query(({ ctx, input }) => overview(ctx.node, input)),
  flows: reader.input(byOperation).query(({ ctx, input }) => flows(ctx.node, input)),
  timeline: reader
    .input(
      z
        .strictObject({ operation: slug.optional(), bucket: z.enum(['hour', 'day', 'auto', 'operationDay']).default('day') })
        .default({ bucket: 'day' }),
    )
    .query(({ ctx, input }) => timeline(ctx.node, input)),
  /** A replay's operation clock (real time → the operation's calendar), or null: show real times. */
  operationClock: reader.query(({ ctx }) => readOperationClock(ctx.node.dataDir)),
  referrals: reader
    .input(
      z
        .strictObject({
          ip: z.string().min(2).max(64).optional(),
          country: z.string().min(2).max(7).optional(),
          action: z.enum(ACTIONS).optional(),
          state: z.enum(['sent', ...STATUS_STATES]).optional(),
          operation: slug.optional(),
          cursor: z.string().max(64).optional(),
          limit: z.int().min(1).max(1000).default(200),
        })
        .default({ limit: 200 }),
    )
    .query(({ ctx, input }) => listReferrals(ctx.node, input)),
  history: reader.input(z.strictObject({ id: z.uuid() })).query(({ ctx, input }) => history(ctx.node, input.id)),
  clusters: reader
    .input(z.strictObject({ operation: slug.optional(), limit: z.int().min(1).max(1000).default(100) }).default({ limit: 100 }))
    .query(({ ctx, input }) => clusters(ctx.node, input)),
  health: reader.query(({ ctx }) => health(ctx.node, ctx.services.memberProbes)),
  directory: directoryRouter,
  tokens: tokensRouterFor('liaison.admin'),
});
