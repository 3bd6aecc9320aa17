/**
 * The outbox's due-peer query (a skip scan over outbox_due) on the suite's database: which peers have a
 * row due now and not held by a live claim, whatever else their queues hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../src/db/database.js';
import { claim, duePeers, enqueueAll, nextDueAt } from '../src/outbox/outbox.js';
import { scratchLocation } from '../src/testing/scratch-db.js';

describe('duePeers', () => {
  let handle: DatabaseHandle;
  let dispose: () => Promise<void>;
  const now = 1_800_000_000_000;

  beforeAll(async () => {
    const scratch = await scratchLocation('due-peers');
    dispose = scratch.dispose;
    handle = await openDatabase({ location: scratch.location });
  });
  afterAll(async () => {
    await handle.close();
    await dispose();
  });

  it('names each peer with a due, unclaimed row once, in a backlog of many rows', async () => {
    const { db } = handle;
    expect(await duePeers(db, now)).toEqual([]);
    const message = (id: number, peers: string[], at: number) => ({ id: `m-${id}`, kind: 'status' as const, peers, now: at });
    // KH: 300 due rows; VN: due only later (backoff); TH: every row delivered; LIAISON: due.
    await enqueueAll(db, [
      ...Array.from({ length: 300 }, (_, i) => message(i, ['KH', 'LIAISON'], now - 1000)),
      message(1000, ['VN'], now + 60_000),
      message(1001, ['TH'], now - 1000),
    ]);
    await db.updateTable('outbox').set({ state: 'delivered' }).where('peer', '=', 'TH').execute();
    // The signed statuses, kept once as sent: the claim reads each row's message from there.
    for (let i = 0; i < 300; i += 100)
      await db
        .insertInto('statuses')
        .values(
          Array.from({ length: 100 }, (_, k) => ({
            id: `m-${i + k}`,
            referral_id: `r-${i + k}`,
            from_country: 'TH',
            to_country: 'KH',
            state: 'acknowledged' as const,
            outcome: null,
            reason: null,
            iat: now,
            jws: `signed.status.${i + k}`,
            direction: 'out' as const,
            created_at: now,
          })),
        )
        .execute();
    expect((await duePeers(db, now)).sort()).toEqual(['KH', 'LIAISON']);
    expect((await duePeers(db, now + 60_000)).sort()).toEqual(['KH', 'LIAISON', 'VN']);

    // Every KH row claimed by a live worker: KH is not due; once the lease has run out, it is again.
    const batch = await claim(db, { peer: 'KH', worker: 'w-1', now, leaseMs: 5_000, limit: 1000 });
    expect(batch).toHaveLength(300);
    expect(batch.map((row) => [row.message_id, row.jws])).toEqual(Array.from({ length: 300 }, (_, i) => [`m-${i}`, `signed.status.${i}`]));
    expect((await duePeers(db, now)).sort()).toEqual(['LIAISON']);
    expect((await duePeers(db, now + 5_001)).sort()).toEqual(['KH', 'LIAISON']);
  });

  it('says when the next queued row comes due by time, across peers (Infinity when none waits)', async () => {
    const { db } = handle;
    const later = now + 10 * 60_000;
    expect(await nextDueAt(db, later)).toBe(Number.POSITIVE_INFINITY);
    await enqueueAll(db, [
      { id: 'n-1', kind: 'referral', peers: ['PH'], now: later + 9_000 },
      { id: 'n-2', kind: 'referral', peers: ['AU', 'PH'], now: later + 4_000 },
      { id: 'n-3', kind: 'referral', peers: ['ZA'], now: later - 1_000 },
    ]);
    expect(await nextDueAt(db, later)).toBe(later + 4_000);
    expect(await nextDueAt(db, later + 4_000)).toBe(later + 9_000);
    expect(await nextDueAt(db, later + 9_000)).toBe(Number.POSITIVE_INFINITY);
  });
});
