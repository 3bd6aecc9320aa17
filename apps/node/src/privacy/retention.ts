/**
 * Review dates of personal data (LED Art. 5: a periodic review of the need to store). A complaint is
 * due config.retention.complaintDays after it was filed, a received referral referralDays after it
 * was closed or declined, unless a reviewer set another date (review_at). Items past their date are
 * listed; a reviewer extends one (with a reason, in the privacy log) or erases it (erasure.ts).
 * Lists identifiers and dates only, never personal data.
 */
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { NodeConfig } from '../config/config.js';
import type { Database } from '../db/schema.js';
import { NodeError } from '../errors.js';
import { recordPrivacy, type SubjectKind } from './log.js';
import { type Operator, reasonText } from './purpose.js';

const DAY_MS = 86_400_000;
const FINISHED = ['closed', 'declined'] as const;

export interface DueItem {
  kind: SubjectKind;
  id: string;
  /** Review date (ms). */
  reviewAt: number;
  /** Filed (complaint) or closed (referral), ms: what the default date runs from. */
  since: number;
  /** Set by a reviewer (true) or the configured default (false). */
  extended: boolean;
  /** A referral's sender and final state; null for a complaint. */
  from: string | null;
  state: string | null;
}

interface Ctx {
  db: Kysely<Database>;
  config: Pick<NodeConfig, 'retention'>;
}

/** The review date expressions, in SQL so that listing what is due costs an index scan, not the whole table in memory. */
function complaintReview(config: Ctx['config']) {
  return sql<number>`coalesce(${sql.ref('review_at')}, ${sql.ref('created_at')} + ${sql.lit(config.retention.complaintDays * DAY_MS)})`;
}
function referralReview(config: Ctx['config']) {
  return sql<number>`coalesce(${sql.ref('review_at')}, ${sql.ref('updated_at')} + ${sql.lit(config.retention.referralDays * DAY_MS)})`;
}
const finished = sql<boolean>`${sql.ref('state')} in (${sql.join(FINISHED.map((s) => sql.lit(s)))})`;

/** Complaints not erased and received referrals closed or declined whose review date is at or before `now`, oldest date first. */
export async function dueForReview(ctx: Ctx, now: number, limit = 500): Promise<DueItem[]> {
  const complaints = await ctx.db
    .selectFrom('complaints')
    .select(['id', 'created_at', 'review_at', complaintReview(ctx.config).as('review')])
    .where('erased_at', 'is', null)
    .where(complaintReview(ctx.config), '<=', now)
    .orderBy('review')
    .limit(limit)
    .execute();
  const referrals = await ctx.db
    .selectFrom('referrals_in')
    .select(['id', 'from_country', 'state', 'updated_at', 'review_at', referralReview(ctx.config).as('review')])
    .where(finished)
    .where(referralReview(ctx.config), '<=', now)
    .orderBy('review')
    .limit(limit)
    .execute();
  const items: DueItem[] = [
    ...complaints.map((c) => ({
      kind: 'complaint' as const,
      id: c.id,
      reviewAt: Number(c.review),
      since: Number(c.created_at),
      extended: c.review_at !== null,
      from: null,
      state: null,
    })),
    ...referrals.map((r) => ({
      kind: 'referral' as const,
      id: r.id,
      reviewAt: Number(r.review),
      since: Number(r.updated_at),
      extended: r.review_at !== null,
      from: r.from_country,
      state: r.state,
    })),
  ];
  return items.sort((a, b) => a.reviewAt - b.reviewAt).slice(0, limit);
}

export const subjectKind = z.enum(['complaint', 'referral']);

export const extendInput = z.strictObject({
  kind: subjectKind,
  id: z.uuid(),
  /** The new review date, YYYY-MM-DD (UTC midnight); must be in the future. */
  until: z.iso.date(),
  reason: reasonText,
});

/** Sets a later review date on one item, recording who did it and why. */
export async function extendReview(ctx: Ctx, raw: z.input<typeof extendInput>, operator: Operator, now: number) {
  const input = extendInput.parse(raw);
  const until = Date.parse(`${input.until}T00:00:00Z`);
  if (until <= now) throw new NodeError('ERR_INPUT', `the new review date ${input.until} must be in the future`);
  return ctx.db.transaction().execute(async (trx) => {
    let previous: number;
    if (input.kind === 'complaint') {
      const row = await trx
        .selectFrom('complaints')
        .select(['erased_at', complaintReview(ctx.config).as('review')])
        .where('id', '=', input.id)
        .executeTakeFirst();
      if (!row) throw new NodeError('ERR_NOT_FOUND', `no complaint ${input.id}`);
      if (row.erased_at !== null) throw new NodeError('ERR_ERASED', `complaint ${input.id} was erased: there is nothing left to review`);
      previous = Number(row.review);
      await trx.updateTable('complaints').set({ review_at: until }).where('id', '=', input.id).execute();
    } else {
      const row = await trx
        .selectFrom('referrals_in')
        .select(['state', referralReview(ctx.config).as('review')])
        .where('id', '=', input.id)
        .executeTakeFirst();
      if (!row) throw new NodeError('ERR_NOT_FOUND', `no received referral ${input.id} (or it was erased)`);
      if (!(FINISHED as readonly string[]).includes(row.state))
        throw new NodeError('ERR_CONFLICT', `referral ${input.id} is ${row.state}: its review date runs from its closure`);
      previous = Number(row.review);
      await trx.updateTable('referrals_in').set({ review_at: until }).where('id', '=', input.id).execute();
    }
    await recordPrivacy(trx, [
      {
        at: now,
        action: 'extend',
        subjectKind: input.kind,
        subjectId: input.id,
        item: '',
        operator,
        purpose: '',
        reason: input.reason,
        detail: { from: previous, to: until },
      },
    ]);
    return { kind: input.kind, id: input.id, previous, reviewAt: until };
  });
}
