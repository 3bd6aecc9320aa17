/**
 * What a referral shows of its latest status, on either side of it: the state, the outcome (a status
 * without counts leaves the totals as they were, PROTOCOL.md §2.2.1: coalesce keeps them) and the
 * reason. One rule for the recipient's `referrals_in` (its own statuses, as it signs them) and the
 * origin's `referrals_out` (the recipient's, as they arrive), each a fixed statement over a batch.
 * The caller picks which status each referral shows (one per referral).
 */
import type { Status } from '@firstlight/protocol';
import type { Transaction } from 'kysely';
import { fixedValues } from '../db/fixed.js';
import type { Database } from '../db/schema.js';

type Shown = [referral: string, state: Status['state'], outcome: string | null, reason: string | null, counterpart: string];

/** `counterpart`: the column naming the other country, which must be the status's other party. */
const shownOn = (table: 'referrals_in' | 'referrals_out', counterpart: 'from_country' | 'to_country') =>
  fixedValues<never, Shown, [now: number]>(
    `update ${table} set state = v.column2, outcome = coalesce(v.column3, outcome), reason = v.column4, updated_at = ?
  from (values ??) as v where ${table}.id = v.column1 and ${table}.${counterpart} = v.column5`,
    '(?, ?, ?, ?, ?)',
  );

const ON = { in: shownOn('referrals_in', 'from_country'), out: shownOn('referrals_out', 'to_country') };

/**
 * The referrals these statuses are about show them. `in`: the recipient's own statuses, on the
 * referrals it received from their origin (the status's `to`); `out`: statuses received by the origin,
 * on the referrals it sent to their signer (the status's `from`).
 */
export function showStatuses(trx: Transaction<Database>, side: 'in' | 'out', statuses: Iterable<Status>, now: number) {
  const rows: Shown[] = [];
  for (const m of statuses)
    rows.push([m.referral, m.state, m.outcome ? JSON.stringify(m.outcome) : null, m.reason ?? null, side === 'in' ? m.to : m.from]);
  return ON[side].run(trx, rows, [now]);
}
