/** Reading the inbox: incoming referrals with their deadlines. */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { NodeError } from '../errors.js';
import { resolveReceipts } from '../receipts/stored.js';
import { nextStates } from '../status/transitions.js';

/** One incoming referral as the API answers it, with whether it is past its deadline at `now`. */
export function present(row: Database['referrals_in'], now: number) {
  const deadline = Number(row.deadline_at);
  return {
    id: row.id,
    from: row.from_country,
    ip: row.ip,
    port: row.port,
    seenAt: row.seen_at,
    action: row.action,
    urgency: row.urgency,
    operation: row.operation,
    evidence: JSON.parse(row.evidence) as string[],
    iat: Number(row.iat),
    exp: Number(row.exp),
    receivedAt: Number(row.received_at),
    deadlineAt: deadline,
    overdue: now > deadline && !['action_taken', 'declined', 'closed'].includes(row.state),
    state: row.state,
    outcome: row.outcome === null ? null : (JSON.parse(row.outcome) as Record<string, number>),
    reason: row.reason,
  };
}

/** States after which a referral needs nothing more from this bureau. */
export const FINISHED_STATES = ['closed', 'declined'] as const;

/** The inbox, newest first: everything, or (`open`) the bureau's work queue. */
export function inboxQuery(db: Kysely<Database>, options: { limit: number; before?: number | undefined; open?: boolean | undefined }) {
  let q = db.selectFrom('referrals_in').selectAll().orderBy('received_at', 'desc').limit(options.limit);
  if (options.before !== undefined) q = q.where('received_at', '<', options.before);
  // The work queue: only referrals still waiting for this bureau. The states are written as literals,
  // the very predicate of the partial index referrals_in_open (migration 009), so the planner uses it.
  if (options.open) q = q.where(sql<boolean>`${sql.ref('state')} not in (${sql.join(FINISHED_STATES.map((s) => sql.lit(s)))})`);
  return q;
}

export async function listReferralsIn(
  db: Kysely<Database>,
  options: { limit: number; before?: number | undefined; open?: boolean | undefined },
  now: number,
) {
  return (await inboxQuery(db, options).execute()).map((r) => present(r, now));
}

/** Where a reader of `referralsInSince` stopped: the last referral it was given. */
export interface InboxCursor {
  receivedAt: number;
  id: string;
}

/**
 * The referrals received after `after`, oldest first, whatever their state: how a bureau's own case
 * system keeps in step with its inbox (each referral once, in the order it came) without reading the
 * whole work queue again on every look. `next` is where to start the following call (`after` itself
 * when nothing came).
 */
export async function referralsInSince(db: Kysely<Database>, options: { after?: InboxCursor | undefined; limit: number }, now: number) {
  let q = db.selectFrom('referrals_in').selectAll().orderBy('received_at').orderBy('id').limit(options.limit);
  const after = options.after;
  if (after)
    q = q
      .where('received_at', '>=', after.receivedAt)
      .where((eb) => eb.or([eb('received_at', '>', after.receivedAt), eb('id', '>', after.id)]));
  const rows = await q.execute();
  const last = rows.at(-1);
  return {
    items: rows.map((r) => present(r, now)),
    next: last ? { receivedAt: Number(last.received_at), id: last.id } : (after ?? null),
  };
}

export async function getReferralIn(db: Kysely<Database>, id: string, now: number) {
  const row = await db.selectFrom('referrals_in').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NodeError('ERR_NOT_FOUND', `no incoming referral ${id}`);
  const received = await db.selectFrom('received').select(['jws', 'receipt']).where('message_id', '=', id).executeTakeFirst();
  const statuses = await db.selectFrom('statuses').selectAll().where('referral_id', '=', id).orderBy('iat').execute();
  const [stored] = await resolveReceipts(db, [received?.receipt ?? null]);
  return {
    ...present(row, now),
    /** The statuses this bureau may sign next (status/transitions.ts). */
    next: nextStates(row.state),
    jws: received?.jws ?? null,
    receipt: stored?.jws ?? null,
    receiptIndex: stored?.index ?? null,
    statuses: statuses.map((s) => ({
      id: s.id,
      state: s.state,
      outcome: s.outcome === null ? null : (JSON.parse(s.outcome) as Record<string, number>),
      reason: s.reason,
      iat: Number(s.iat),
      jws: s.jws,
    })),
  };
}
