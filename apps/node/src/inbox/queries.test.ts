import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import type { ReferralInState } from '../db/schema.js';
import { inboxQuery, listReferralsIn } from './queries.js';

describe("the bureau's work queue (inbox, open only)", () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openDatabase({ location: ':memory:' });
    // A long history: 3,000 referrals, all but every 300th closed or declined.
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      id: `r-${String(i).padStart(5, '0')}`,
      from_country: 'TH',
      to_country: 'KH',
      ip: '103.4.196.10',
      port: null,
      seen_at: '2015-06-01T10:00:00Z',
      action: 'locate',
      urgency: 'routine',
      operation: 'op',
      evidence: '[]',
      iat: i,
      exp: i + 86_400,
      received_at: i,
      deadline_at: i + 86_400,
      state: (i % 300 === 0 ? (i % 600 === 0 ? 'received' : 'located') : i % 2 ? 'closed' : 'declined') as ReferralInState,
      outcome: null,
      reason: null,
      updated_at: i,
    }));
    for (let i = 0; i < rows.length; i += 200)
      await handle.db
        .insertInto('referrals_in')
        .values(rows.slice(i, i + 200))
        .execute();
  });
  afterAll(() => handle.close());

  it('lists only the open referrals, newest first, read from the partial index of open referrals', async () => {
    const open = await listReferralsIn(handle.db, { limit: 1000, open: true }, 10_000);
    expect(open.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, k) => `r-${String(2700 - k * 300).padStart(5, '0')}`));
    expect(await listReferralsIn(handle.db, { limit: 1000 }, 10_000)).toHaveLength(1000);
    const compiled = inboxQuery(handle.db, { limit: 1000, open: true }).compile();
    const plan = await handle.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
    );
    expect(plan.rows.map((r) => r.detail).join(' | ')).toContain('referrals_in_open');
  });
});
