/**
 * A national bureau's handling of accepted messages: referrals into the inbox, statuses onto our
 * referrals. A status is applied only when it is the word of the country we sent that referral to
 * (status-authority.ts): anything else is never stored as a status nor shown on a referral.
 */

import { insertRows } from '../db/chunks.js';
import { deadlineFor } from './deadlines.js';
import type { MessageApplier } from './inbox.js';
import { referralColumns } from './referral-row.js';
import { statusRefusal } from './status-authority.js';

export const nationalApplier: MessageApplier = {
  refuseStatus: statusRefusal,
  async referrals(trx, items, now) {
    const rows = items.map(({ message: m }) =>
      // Object.assign, not a spread: spreading these rows costs ~15 µs each (measured), assigning ~1 µs.
      Object.assign(referralColumns(m), {
        exp: m.exp,
        received_at: now,
        deadline_at: deadlineFor(m.urgency, now),
        state: 'received',
        outcome: null,
        reason: null,
        updated_at: now,
      }),
    );
    await insertRows(trx, 'referrals_in', rows, 100);
  },
  async status(trx, m, jws, now) {
    // The inbox already turned such a status into a signed rejection (refuseStatus below); checked
    // again here, inside the transaction, so what it says can never be applied.
    if (await statusRefusal(trx, m)) return;
    await trx
      .insertInto('statuses')
      .values({
        id: m.id,
        referral_id: m.referral,
        from_country: m.from,
        to_country: m.to,
        state: m.state,
        outcome: m.outcome ? JSON.stringify(m.outcome) : null,
        reason: m.reason ?? null,
        iat: m.iat,
        jws,
        direction: 'in',
        created_at: now,
      })
      .execute();
    // The referral shows the latest status by iat; statuses may arrive out of order.
    const newer = await trx
      .selectFrom('statuses')
      .select('id')
      .where('referral_id', '=', m.referral)
      .where('direction', '=', 'in')
      .where('from_country', '=', m.from)
      .where('iat', '>', m.iat)
      .executeTakeFirst();
    if (newer) return;
    await trx
      .updateTable('referrals_out')
      .set({ state: m.state, outcome: m.outcome ? JSON.stringify(m.outcome) : null, reason: m.reason ?? null, updated_at: now })
      .where('id', '=', m.referral)
      .where('to_country', '=', m.from)
      .execute();
  },
};
