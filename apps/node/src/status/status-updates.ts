/**
 * Status updates on a referral this country received: signed and sent back to the origin country,
 * with a copy to the liaison office, in the same transaction as the inbox change.
 */
import {
  DECLINE_REASONS,
  LIAISON_PARTY,
  outcomeSchema,
  STATUS_STATES,
  type Status,
  sha256Digest,
  signMessage,
  uuidv7,
} from '@firstlight/protocol';
import { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import { NodeError } from '../errors.js';
import { publishedSigningKey } from '../keys/published-key.js';
import { enqueue } from '../outbox/outbox.js';

export const statusInput = z.strictObject({
  referralId: z.uuid(),
  state: z.enum(STATUS_STATES),
  outcome: outcomeSchema.optional(),
  reason: z.enum(DECLINE_REASONS).optional(),
});

export type StatusInput = z.infer<typeof statusInput>;

export async function updateStatus(ctx: NodeContext, raw: StatusInput): Promise<{ id: string }> {
  const input = statusInput.parse(raw);
  const now = ctx.clock.now();
  const referral = await ctx.db.selectFrom('referrals_in').selectAll().where('id', '=', input.referralId).executeTakeFirst();
  if (!referral) throw new NodeError('ERR_NOT_FOUND', `no incoming referral ${input.referralId}`);
  if (referral.state === 'closed') throw new NodeError('ERR_CONFLICT', `referral ${input.referralId} is closed`);
  if (input.state === 'declined' && !input.reason) throw new NodeError('ERR_INPUT', 'a decline needs a reason code');
  if (input.state !== 'declined' && input.reason) throw new NodeError('ERR_INPUT', 'only a decline carries a reason');
  if (input.outcome && !['located', 'action_taken', 'closed'].includes(input.state))
    throw new NodeError('ERR_INPUT', 'outcome counts apply to located, action_taken and closed');
  const held = ctx.directory.current();
  if (!held) throw new NodeError('ERR_NO_DIRECTORY', 'this node holds no directory yet');
  const iat = seconds(now);
  const message: Status = {
    v: 1,
    id: uuidv7(now),
    from: ctx.config.party,
    to: referral.from_country,
    iat,
    referral: referral.id,
    state: input.state,
    ...(input.outcome ? { outcome: input.outcome } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
  };
  const key = publishedSigningKey(ctx, iat);
  const jws = await signMessage('status', message, key);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('statuses')
      .values({
        id: message.id,
        referral_id: referral.id,
        from_country: message.from,
        to_country: message.to,
        state: message.state,
        outcome: message.outcome ? JSON.stringify(message.outcome) : null,
        reason: message.reason ?? null,
        iat,
        jws,
        direction: 'out',
        created_at: now,
      })
      .execute();
    await trx
      .updateTable('referrals_in')
      .set({
        state: message.state,
        outcome: message.outcome ? JSON.stringify(message.outcome) : null,
        reason: message.reason ?? null,
        updated_at: now,
      })
      .where('id', '=', referral.id)
      .execute();
    await enqueue(trx, { id: message.id, kind: 'status', jws, peers: [message.to, LIAISON_PARTY], now });
    await appendAudit(trx, [{ at: now, kind: 'sent.status', ref: `${message.id}@${message.to}`, digest: sha256Digest(jws) }]);
  });
  ctx.wakeOutbox();
  return { id: message.id };
}

export { DECLINE_REASONS };
