/**
 * Key rotation at the liaison office: a member submits its new public key signed with its current key
 * (proof of continuity). The submission is checked by the protocol package (checkKeySubmission) against
 * the directory the liaison office holds, like any federation message; the key then waits for an admin (policy `approve`) or joins the draft at
 * once (policy `auto`). Either way it takes effect with the next published serial.
 */
import { checkKeySubmission } from '@firstlight/protocol';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import { NodeError } from '../errors.js';

export interface KeySubmissionResult {
  kid: string;
  status: 'pending' | 'active';
}

function refuse(message: string): never {
  throw new NodeError('ERR_INPUT', message);
}

/**
 * What a member's signed submission (a key, TLS pins) is checked against at the liaison office: its
 * own directory, now. Refused anywhere else, or before the office has published.
 */
export function submissionContext(ctx: NodeContext, what: string) {
  if (ctx.config.role !== 'liaison') throw new NodeError('ERR_FORBIDDEN', `only the liaison office accepts ${what}`);
  const held = ctx.directory.current();
  if (!held) throw new NodeError('ERR_NO_DIRECTORY', 'the liaison office has not published a directory yet');
  return {
    keys: held.trust,
    recipient: ctx.config.party,
    recipientRole: 'liaison' as const,
    now: seconds(ctx.clock.now()),
    skewSeconds: ctx.config.skewSeconds,
  };
}

export async function submitKey(ctx: NodeContext, jws: string): Promise<KeySubmissionResult> {
  const check = checkKeySubmission(jws, submissionContext(ctx, 'key submissions'));
  // Whatever the protocol code, the submitter's mistake: answered as a refused input, with its reason.
  if (!check.ok) refuse(`the key submission is refused (${check.error.code}): ${check.error.message}`);
  const { party: country, key } = check.submission;
  const revoked = await ctx.db.selectFrom('dir_revocations').select('kid').where('kid', '=', key.kid).executeTakeFirst();
  if (revoked) refuse(`key ${key.kid} was revoked and cannot be enrolled again`);

  const status = ctx.config.keyPolicy === 'auto' ? 'active' : 'pending';
  const existing = await ctx.db.selectFrom('dir_keys').select(['status', 'country']).where('kid', '=', key.kid).executeTakeFirst();
  if (existing) {
    if (existing.country !== country) refuse('that key is enrolled for another member');
    return { kid: key.kid, status: existing.status === 'active' ? 'active' : 'pending' };
  }
  await ctx.db
    .insertInto('dir_keys')
    .values({
      kid: key.kid,
      country,
      jwk: JSON.stringify(key.jwk),
      nbf: key.nbf,
      exp: key.exp,
      status,
      added_at: ctx.clock.now(),
    })
    .execute();
  ctx.logger.info({ country, kid: key.kid, status }, 'key submitted');
  return { kid: key.kid, status };
}

export async function pendingKeys(ctx: NodeContext) {
  const rows = await ctx.db.selectFrom('dir_keys').selectAll().where('status', '=', 'pending').orderBy('added_at').execute();
  return rows.map((r) => ({ kid: r.kid, country: r.country, nbf: Number(r.nbf), exp: Number(r.exp), submittedAt: Number(r.added_at) }));
}

export async function approveKey(ctx: NodeContext, kid: string): Promise<{ kid: string; country: string }> {
  const row = await ctx.db.selectFrom('dir_keys').select(['country', 'status']).where('kid', '=', kid).executeTakeFirst();
  if (!row) throw new NodeError('ERR_NOT_FOUND', `no submitted key ${kid}`);
  if (row.status !== 'pending') throw new NodeError('ERR_CONFLICT', `key ${kid} is ${row.status}, not pending`);
  await ctx.db.updateTable('dir_keys').set({ status: 'active' }).where('kid', '=', kid).execute();
  return { kid, country: row.country };
}
