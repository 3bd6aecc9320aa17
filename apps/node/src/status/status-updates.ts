/**
 * Status updates on a referral this country received: signed and sent back to the origin country,
 * with a copy to the liaison office, in the same transaction as the inbox change.
 */
import {
  DECLINE_REASONS,
  mayFollow,
  nextStates,
  outcomeSchema,
  STATUS_STATES,
  type Status,
  type StatusState,
  signMessage,
  statusRuleProblems,
  uuidv7,
} from '@firstlight/protocol';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { bulkOf, type ItemResult, itemResults, once, passed, prepareEach, requestIdField, single } from '../bulk.js';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import { forChunks, insertRows } from '../db/chunks.js';
import { fixedList } from '../db/fixed.js';
import type { Database } from '../db/schema.js';
import { NodeError } from '../errors.js';
import { publishedSigningKey } from '../keys/published-key.js';
import { queueSent } from '../outbox/outbox.js';
import { showStatuses } from './shown.js';
import { statusRow } from './status-row.js';

export const statusInput = z.strictObject({
  referralId: z.uuid(),
  state: z.enum(STATUS_STATES),
  outcome: outcomeSchema.optional(),
  reason: z.enum(DECLINE_REASONS).optional(),
});

export type StatusInput = z.infer<typeof statusInput>;

export const statusesInput = z.strictObject({ requestId: requestIdField, updates: bulkOf(statusInput) });

/** One status update, or its refusal thrown (ERR_NOT_FOUND, ERR_CONFLICT, ERR_INPUT, ERR_NO_DIRECTORY). */
export async function updateStatus(ctx: NodeContext, raw: StatusInput): Promise<{ id: string }> {
  const { message } = single(await applyStatuses(ctx, [statusInput.parse(raw)], ctx.clock.now()));
  return { id: message.id };
}

/**
 * Up to 500 updates at once (a bureau moving its queue on): each answered in order with its status id
 * or its refusal; the accepted ones are signed and queued in one transaction, delivered together.
 * `input` as statusesInput parsed it (the API's input schema; 500 items are not checked twice).
 */
export async function updateStatuses(ctx: NodeContext, input: z.output<typeof statusesInput>): Promise<ItemResult<{ id: string }>[]> {
  const { requestId, updates } = input;
  const now = ctx.clock.now();
  return once(ctx.db, { procedure: 'inbox.updateStatuses', requestId, input: updates, now }, async (remember) => {
    const answer = (prepared: Applied) => itemResults(prepared, (p) => ({ id: p.message.id }));
    return answer(await applyStatuses(ctx, updates, now, (trx, prepared) => remember(trx, answer(prepared))));
  });
}

type Applied = Array<{ message: Status; jws: string } | NodeError>;

/**
 * Run for every status sent: fixed statements. The referrals are read for the three columns a status is
 * judged by, not whole rows; their new states are written in one statement.
 */
const REFERRALS_IN = fixedList<{ id: string; from_country: string; state: string }>(
  'select id, from_country, state from referrals_in where id in (??)',
);
/** Signs and queues the updates that pass; `inTransaction` joins the write (a bulk call's stored answer). */
async function applyStatuses(
  ctx: NodeContext,
  inputs: StatusInput[],
  now: number,
  inTransaction?: (trx: Transaction<Database>, prepared: Applied) => Promise<void>,
): Promise<Applied> {
  const held = ctx.directory.current();
  if (!held) throw new NodeError('ERR_NO_DIRECTORY', 'this node holds no directory yet');
  const referrals = new Map<string, { id: string; from_country: string; state: string }>();
  await forChunks([...new Set(inputs.map((i) => i.referralId))], 500, async (ids) => {
    for (const row of await REFERRALS_IN.rows(ctx.db, ids, [])) referrals.set(row.id, row);
  });
  const iat = seconds(now);
  const key = publishedSigningKey(ctx, iat);
  const listed = new Set<string>();
  const prepared = await prepareEach(inputs, async (input) => {
    const referral = referrals.get(input.referralId);
    if (!referral) throw new NodeError('ERR_NOT_FOUND', `no incoming referral ${input.referralId}`);
    if (listed.has(referral.id))
      throw new NodeError('ERR_INPUT', `referral ${referral.id} is listed twice: one accepted update per referral a call`);
    const current = referral.state === 'received' ? null : (referral.state as StatusState);
    if (!mayFollow(current, input.state))
      throw new NodeError(
        'ERR_STATUS_ORDER',
        current === 'closed' || current === 'declined'
          ? `referral ${input.referralId} is ${current}: a final state`
          : `referral ${input.referralId} is ${current}: ${input.state} cannot follow it (next: ${nextStates(current).join(', ')})`,
      );
    const [problem] = statusRuleProblems(input);
    if (problem) throw new NodeError('ERR_INPUT', problem.message);
    listed.add(referral.id);
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
    return { message, jws: await signMessage('status', message, key) };
  });
  const accepted = passed(prepared);
  if (accepted.length === 0) return prepared;
  await ctx.db.transaction().execute(async (trx) => {
    await insertRows(
      trx,
      'statuses',
      accepted.map(({ message, jws }) => statusRow(message, jws, 'out', now)),
      200,
    );
    // (One status per referral: a call lists each referral once.)
    await showStatuses(
      trx,
      'in',
      accepted.map(({ message }) => message),
      now,
    );
    await queueSent(trx, 'status', accepted, now);
    await inTransaction?.(trx, prepared);
  });
  ctx.wakeOutbox();
  return prepared;
}

export { DECLINE_REASONS };
