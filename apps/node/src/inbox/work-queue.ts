/**
 * The bureau's work queue: incoming referrals filtered by state, urgency, origin, operation and
 * overdue, sorted by deadline (the most pressing first) or by arrival, with how many cases stand in
 * each state under the other filters (the tabs an officer triages by). Read only.
 */
import { STATUS_STATES, URGENCIES } from '@firstlight/protocol';
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import { present } from './queries.js';

const STATES = ['received', ...STATUS_STATES] as const;
/** States in which a referral's deadline no longer presses (the bureau has acted, declined or closed). */
const SETTLED = ['action_taken', 'declined', 'closed'] as const;

export const workQueueInput = z
  .strictObject({
    state: z.enum(STATES).optional(),
    urgency: z.enum(URGENCIES).optional(),
    from: z
      .string()
      .regex(/^[A-Z]{2}$/, { error: 'must be a two-letter country code' })
      .optional(),
    operation: z.string().min(1).max(64).optional(),
    /** Only cases past their deadline and not yet acted on. */
    overdue: z.boolean().optional(),
    sort: z.enum(['deadline', 'received']).default('deadline'),
    offset: z.int().min(0).max(1_000_000).default(0),
    limit: z.int().min(1).max(500).default(100),
  })
  .default({ sort: 'deadline', offset: 0, limit: 100 });

export type WorkQueueInput = z.infer<typeof workQueueInput>;

type Query = SelectQueryBuilder<Database, 'referrals_in', object>;

function filtered(db: Kysely<Database>, input: WorkQueueInput, now: number, withState: boolean): Query {
  let q: Query = db.selectFrom('referrals_in');
  if (withState && input.state) q = q.where('state', '=', input.state);
  if (input.urgency) q = q.where('urgency', '=', input.urgency);
  if (input.from) q = q.where('from_country', '=', input.from);
  if (input.operation) q = q.where('operation', '=', input.operation);
  if (input.overdue)
    q = q.where('deadline_at', '<', now).where(sql<boolean>`${sql.ref('state')} not in (${sql.join(SETTLED.map((s) => sql.lit(s)))})`);
  return q;
}

export async function workQueue(db: Kysely<Database>, input: WorkQueueInput, now: number) {
  let page = filtered(db, input, now, true).selectAll();
  page =
    input.sort === 'deadline'
      ? // Settled cases sink below the pressing ones, whatever their deadline.
        page
          .orderBy(sql`case when ${sql.ref('state')} in (${sql.join(SETTLED.map((s) => sql.lit(s)))}) then 1 else 0 end`)
          .orderBy('deadline_at')
          .orderBy('id')
      : page.orderBy('received_at', 'desc').orderBy('id');
  const rows = await page.offset(input.offset).limit(input.limit).execute();
  const byState = await filtered(db, input, now, false)
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('state')
    .execute();
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<(typeof STATES)[number], number>;
  for (const r of byState) if (r.state in counts) counts[r.state as (typeof STATES)[number]] = Number(r.n);
  const total = input.state ? counts[input.state] : Object.values(counts).reduce((a, b) => a + b, 0);
  return { items: rows.map((r) => present(r, now)), total, counts };
}
