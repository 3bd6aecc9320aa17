/**
 * TLS key pins at the liaison office (PROTOCOL.md §2.4.1, §3.2): a member's signed submission of the
 * pins it wants listed (old and new during a rotation's overlap, then the new alone) is checked by the
 * protocol package against the directory held, then joins the draft at once (keyPolicy `auto`) or
 * waits for an admin (`approve`), like a signing key. Takes effect with the next published serial.
 * Never changes the pins of another member than the one whose key signed.
 */
import { checkTlsPinSubmission, tlsPin } from '@firstlight/protocol';
import { z } from 'zod';
import type { NodeContext } from '../context.js';
import { NodeError } from '../errors.js';
import { submissionContext } from './key-submission.js';

const pinList = z.array(tlsPin).min(1).max(4);

export async function submitTlsPins(ctx: NodeContext, jws: string): Promise<{ tlsPins: string[]; status: 'pending' | 'active' }> {
  const check = checkTlsPinSubmission(jws, submissionContext(ctx, 'TLS pin submissions'));
  // Whatever the protocol code, the submitter's mistake: answered as a refused input, with its reason.
  if (!check.ok) throw new NodeError('ERR_INPUT', `the TLS pin submission is refused (${check.error.code}): ${check.error.message}`);
  const { party: country, tlsPins } = check.submission;
  const member = await ctx.db.selectFrom('dir_members').select('country').where('country', '=', country).executeTakeFirst();
  if (!member) throw new NodeError('ERR_NOT_FOUND', `${country} is not an enrolled member`);
  const status = ctx.config.keyPolicy === 'auto' ? 'active' : 'pending';
  await ctx.db
    .updateTable('dir_members')
    .set(
      status === 'active' ? { tls_pins: JSON.stringify(tlsPins), tls_pins_pending: null } : { tls_pins_pending: JSON.stringify(tlsPins) },
    )
    .where('country', '=', country)
    .execute();
  ctx.logger.info({ country, pins: tlsPins, status }, 'TLS pins submitted');
  return { tlsPins, status };
}

export async function pendingTlsPins(ctx: Pick<NodeContext, 'db'>) {
  const rows = await ctx.db
    .selectFrom('dir_members')
    .select(['country', 'tls_pins', 'tls_pins_pending'])
    .where('tls_pins_pending', 'is not', null)
    .orderBy('country')
    .execute();
  return rows.map((r) => ({
    country: r.country,
    current: r.tls_pins ? pinList.parse(JSON.parse(r.tls_pins)) : [],
    submitted: pinList.parse(JSON.parse(r.tls_pins_pending ?? '[]')),
  }));
}

export async function approveTlsPins(ctx: Pick<NodeContext, 'db'>, country: string): Promise<{ country: string; tlsPins: string[] }> {
  const row = await ctx.db.selectFrom('dir_members').select('tls_pins_pending').where('country', '=', country).executeTakeFirst();
  if (!row?.tls_pins_pending) throw new NodeError('ERR_NOT_FOUND', `${country} has no TLS pins waiting for approval`);
  await ctx.db
    .updateTable('dir_members')
    .set({ tls_pins: row.tls_pins_pending, tls_pins_pending: null })
    .where('country', '=', country)
    .execute();
  return { country, tlsPins: pinList.parse(JSON.parse(row.tls_pins_pending)) };
}
