/** A national bureau's handling of accepted messages: referrals into the inbox, statuses onto our referrals. */

import { deadlineFor } from './deadlines.js';
import type { MessageApplier } from './inbox.js';

export const nationalApplier: MessageApplier = {
  async referrals(trx, items, now) {
    const rows = items.map(({ message: m }) => ({
      id: m.id,
      from_country: m.from,
      to_country: m.to,
      ip: m.ip,
      port: m.port ?? null,
      seen_at: m.seenAt,
      action: m.action,
      urgency: m.urgency,
      operation: m.operation,
      evidence: JSON.stringify(m.evidence),
      iat: m.iat,
      exp: m.exp,
      received_at: now,
      deadline_at: deadlineFor(m.urgency, now),
      state: 'received',
      outcome: null,
      reason: null,
      updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 100)
      await trx
        .insertInto('referrals_in')
        .values(rows.slice(i, i + 100))
        .execute();
  },
  async status(trx, m, jws, now) {
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
