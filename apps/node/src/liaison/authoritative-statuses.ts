/**
 * The statuses that speak for a referral at the liaison office: each joined to the copy of its referral,
 * signed by the country that referral was sent to and addressed to its origin. Any member can sign a
 * status naming any referral id; such a status is kept (its referral may simply not be here yet) but
 * never counts, and never sets a state, until the referral is held and the signer is its recipient.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';

/** liaison_statuses as `s`, inner-joined to liaison_referrals as `r` on that authority. */
export function authoritativeStatuses(db: Kysely<Database>) {
  return db
    .selectFrom('liaison_statuses as s')
    .innerJoin('liaison_referrals as r', (join) =>
      join.onRef('r.id', '=', 's.referral_id').onRef('r.to_country', '=', 's.from_country').onRef('r.from_country', '=', 's.to_country'),
    );
}

/** The same join as SQL text (`s`, `r`), for fixed statements (db/fixed.ts). */
export const AUTHORITATIVE_STATUSES_TEXT = `liaison_statuses s join liaison_referrals r
  on r.id = s.referral_id and r.to_country = s.from_country and r.from_country = s.to_country`;

/** The same join in raw SQL, for the aggregate queries of the liaison views. */
export const AUTHORITATIVE_STATUSES_SQL = sql.raw(AUTHORITATIVE_STATUSES_TEXT);

/** The same rule for one status about a referral held: its recipient's, addressed to its origin. */
export function speaksFor(referral: { to_country: string; from_country: string }, status: { from: string; to: string }): boolean {
  return referral.to_country === status.from && referral.from_country === status.to;
}
