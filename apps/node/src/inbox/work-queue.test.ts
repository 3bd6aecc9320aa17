import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { scratchLocation, testsUsePostgres } from '../testing/scratch-db.js';
import { workQueue, workQueueInput } from './work-queue.js';

const NOW = 10_000_000;
const row = (i: number, over: Partial<Database['referrals_in']>): Database['referrals_in'] => ({
  id: `0190000${i}-0000-7000-8000-000000000000`,
  from_country: 'TH',
  to_country: 'KH',
  ip: `203.0.113.${i}`,
  port: null,
  seen_at: '2015-06-01T10:00:00Z',
  action: 'locate',
  urgency: 'routine',
  operation: 'first-light-2015',
  evidence: '[]',
  iat: 1,
  exp: 2,
  received_at: i,
  deadline_at: NOW + 1000 * i,
  state: 'received',
  outcome: null,
  reason: null,
  updated_at: i,
  review_at: null,
  ...over,
});

describe(`the inbox work queue (${testsUsePostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const scratch = await scratchLocation('work_queue');
    handle = await openDatabase({ location: scratch.location });
    cleanup = scratch.dispose;
    await handle.db
      .insertInto('referrals_in')
      .values([
        row(1, { state: 'acknowledged', urgency: 'urgent' }),
        row(2, { from_country: 'VN' }),
        row(3, { deadline_at: NOW - 5000 }),
        row(4, { deadline_at: NOW - 9000, state: 'closed' }),
        row(5, { deadline_at: NOW - 1, operation: 'other-op', urgency: 'emergency' }),
      ])
      .execute();
  });
  afterAll(async () => {
    await handle.close();
    await cleanup();
  });

  const ids = (r: { items: Array<{ id: string }> }) => r.items.map((i) => Number(i.id.slice(7, 8)));

  it('puts the most pressing open case first, settled cases last', async () => {
    const all = await workQueue(handle.db, workQueueInput.parse({}), NOW);
    expect(ids(all)).toEqual([3, 5, 1, 2, 4]);
    expect(all.total).toBe(5);
    expect(all.counts).toMatchObject({ received: 3, acknowledged: 1, closed: 1, located: 0 });
  });

  it('filters by state, urgency, origin and operation, counting states under the other filters', async () => {
    const received = await workQueue(handle.db, workQueueInput.parse({ state: 'received' }), NOW);
    expect(ids(received)).toEqual([3, 5, 2]);
    expect(received.counts.acknowledged).toBe(1);
    expect(ids(await workQueue(handle.db, workQueueInput.parse({ from: 'VN' }), NOW))).toEqual([2]);
    expect(ids(await workQueue(handle.db, workQueueInput.parse({ urgency: 'emergency' }), NOW))).toEqual([5]);
    const op = await workQueue(handle.db, workQueueInput.parse({ operation: 'first-light-2015' }), NOW);
    expect(op.counts.received).toBe(2);
  });

  it('lists as overdue only cases past their deadline and not yet acted on', async () => {
    const overdue = await workQueue(handle.db, workQueueInput.parse({ overdue: true }), NOW);
    expect(ids(overdue)).toEqual([3, 5]);
    expect(overdue.items.every((i) => i.overdue)).toBe(true);
  });

  it('sorts by arrival when asked, and pages', async () => {
    expect(ids(await workQueue(handle.db, workQueueInput.parse({ sort: 'received', limit: 2, offset: 1 }), NOW))).toEqual([4, 3]);
  });
});
