/**
 * A national bureau's handling of accepted messages: referrals into the inbox, statuses onto our
 * referrals. A status is applied only when it is the word of the country we sent that referral to
 * (status-authority.ts): anything else is never stored as a status nor shown on a referral.
 */

import type { Status } from '@firstlight/protocol';
import { insertRows } from '../db/chunks.js';
import { showStatuses } from '../status/shown.js';
import { statusRow } from '../status/status-row.js';
import type { MessageAppliers } from './appliers.js';
import { deadlineFor } from './deadlines.js';
import { referralColumns } from './referral-row.js';
import { statusRefusals, statusStanding } from './status-authority.js';

export const nationalApplier: MessageAppliers = {
  referral: {
    async apply(trx, items, now) {
      const rows = items.map(({ message: m }) =>
        // Object.assign, not a spread: spreading these rows costs ~15 µs each (measured), assigning ~1 µs.
        Object.assign(referralColumns(m), {
          exp: m.exp,
          received_at: now,
          deadline_at: deadlineFor(m.urgency, now),
          state: 'received' as const,
          outcome: null,
          reason: null,
          updated_at: now,
        }),
      );
      await insertRows(trx, 'referrals_in', rows, 100);
    },
  },
  status: {
    refuse: statusRefusals,
    async apply(trx, items, now) {
      // The inbox already turned such statuses into signed rejections (refuse above); checked
      // again here, inside the transaction, so what they say can never be applied.
      const { refusals, latestIat } = await statusStanding(
        trx,
        items.map((i) => i.message),
      );
      const applied = items.filter((_, i) => !refusals[i]);
      if (applied.length === 0) return;
      // The referral shows the latest status by iat from its recipient (latestIat: of those held before
      // this batch); statuses may arrive out of order, and of two with the same iat the later arrival
      // wins (as if applied one after another).
      await insertRows(
        trx,
        'statuses',
        applied.map(({ message, jws }) => statusRow(message, jws, 'in', now)),
        100,
      );
      const shown = new Map<string, Status>();
      for (const { message: m } of applied) {
        const key = `${m.referral} ${m.from}`;
        const newest = latestIat.get(key);
        if (newest !== undefined && m.iat < newest) continue;
        latestIat.set(key, m.iat);
        shown.set(key, m);
      }
      await showStatuses(trx, 'out', shown.values(), now);
    },
  },
};
