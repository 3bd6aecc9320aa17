/**
 * The federation API, open to other nodes and authenticated by message signatures alone.
 * Plain JSON (no transformer), exactly as docs/PROTOCOL.md describes it.
 */
import { JWS_TYP, LIAISON_PARTY, peekJws } from '@firstlight/protocol';
import { z } from 'zod';
import { NodeError } from '../../errors.js';
import { MAX_ENVELOPES } from '../../inbox/inbox.js';
import { publishedSigningKey } from '../../keys/published-key.js';
import { submitKey } from '../../liaison/key-submission.js';
import { submitTlsPins } from '../../liaison/tls-pins.js';
import { depthByPeer } from '../../outbox/outbox.js';
import { publicProcedure, router } from '../trpc.js';

function signingKid(node: Parameters<typeof publishedSigningKey>[0] & { clock: { now(): number } }): string | null {
  try {
    return publishedSigningKey(node, Math.floor(node.clock.now() / 1000)).kid;
  } catch {
    // no valid key (all expired): the health answer still says who it is by party and pid
    return null;
  }
}

export const federationRouter = router({
  deliver: publicProcedure
    .input(
      z.strictObject({
        envelopes: z.array(z.unknown()).min(1).max(MAX_ENVELOPES),
        /** A receipt per envelope (the default), or one receipt batch for them all (PROTOCOL.md §5.1). */
        answer: z.enum(['each', 'batch']).default('each'),
        /** The sender's seal over the envelopes' digests (PROTOCOL.md §2.3.2); one that fails is ignored. */
        seal: z.string().optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.inbox.receive(input.envelopes, input.answer, input.seal)),

  /**
   * The signed directory. A member that names the serial it holds (`held`) is answered `unchanged`
   * without the directory when that is still the newest: 197 members fetching a 197-member directory
   * every minute, each verifying it again, was most of an idle federation's directory traffic.
   */
  directory: publicProcedure
    .input(z.strictObject({ held: z.int().min(1).optional() }).optional())
    .query(async ({ ctx, input }): Promise<{ jws: string; serial: number } | { unchanged: true; serial: number }> => {
      // The liaison office may have published from the CLI while this process runs: serve the newest.
      if (ctx.node.config.role === 'liaison') {
        const latest = await ctx.node.db
          .selectFrom('dir_publications')
          .select(['serial', 'jws'])
          .orderBy('serial', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (latest && Number(latest.serial) > (ctx.node.directory.serial ?? 0)) await ctx.node.directory.accept(latest.jws);
      }
      const held = ctx.node.directory.current();
      if (!held) throw new NodeError('ERR_NO_DIRECTORY', 'this node holds no directory yet');
      if (input?.held === held.directory.serial) return { unchanged: true, serial: held.directory.serial };
      return { jws: held.jws, serial: held.directory.serial };
    }),

  /** The liaison office's push: a new serial exists. The node fetches it from its pinned liaison URL and verifies it. */
  directoryPublished: publicProcedure.input(z.strictObject({ serial: z.int().min(1) })).mutation(({ ctx, input }) => {
    const held = ctx.node.directory.serial;
    const fetching = ctx.node.config.role === 'national' && (held === null || input.serial > held);
    if (fetching) ctx.services.refreshDirectory();
    return { fetching };
  }),

  /** A member's new key, signed with its current key (liaison office only). */
  submitKey: publicProcedure
    .input(z.strictObject({ jws: z.string().min(1).max(4096) }))
    // A TLS pin submission travels the same way (PROTOCOL.md §3.2); its typ says which it is, and each
    // is then verified as that kind only.
    .mutation(
      async ({ ctx, input }): Promise<{ kid: string; status: string } | { tlsPins: string[]; status: string }> =>
        peekJws(input.jws)?.typ === JWS_TYP.tlsPinSubmission ? submitTlsPins(ctx.node, input.jws) : submitKey(ctx.node, input.jws),
    ),

  health: publicProcedure.query(async ({ ctx }) => ({
    status: 'ok' as const,
    country: ctx.node.config.party,
    role: ctx.node.config.role,
    /**
     * Which node answers: the key it signs with now (public, as in the directory) and its process id,
     * so a caller that started the node (the simulation) is never answered by another process on the port.
     */
    kid: signingKid(ctx.node),
    pid: process.pid,
    directorySerial: ctx.node.directory.serial,
    /** How other nodes reach this one: mutual TLS with pinned keys, or plain HTTP, which is said out loud. */
    transport: ctx.node.config.federationTransport,
    ...(ctx.node.config.federationTransport === 'insecure-plain-http'
      ? { warning: 'federation over plain HTTP (--insecure-plain-http): referrals cross the network in clear text' }
      : {}),
    /** The directory held, judged by this node's clock: valid, expiring, stale (grace) or expired. */
    directory: ctx.node.directory.standing(),
    /**
     * The last time a request could not be stored (disk full, I/O error: ERR_STORAGE), and why; null
     * while none. Watch it with firstlight_storage_errors_total.
     */
    storage: {
      lastFailureAt: ctx.node.storage.failedAt === null ? null : new Date(ctx.node.storage.failedAt).toISOString(),
      code: ctx.node.storage.code,
    },
    /** Copies waiting to reach the liaison office (a count only; the liaison office's health shows it). */
    queuedToLiaison:
      ctx.node.config.role === 'liaison' ? 0 : ((await depthByPeer(ctx.node.db)).find((p) => p.peer === LIAISON_PARTY)?.depth ?? 0),
  })),
});
