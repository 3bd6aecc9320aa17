/**
 * The outbox's due-peer query (a skip scan over outbox_due) on the suite's database: which peers have a
 * row due now and not held by a live claim, whatever else their queues hold.
 */
import { sql } from 'kysely';
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

  it('delivers, after migration 015, a queue written before it (each row read with its message from where the node keeps it)', async () => {
    // A database as 014 left it: outbox rows with their JWS. The migration drops the column; the claim
    // then reads each row's message from referrals_out or statuses.
    const scratch = await scratchLocation('outbox-015');
    let old = await openDatabase({ location: scratch.location });
    try {
      await old.db.schema
        .alterTable('outbox')
        .addColumn('jws', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await sql`delete from kysely_migration where name = '015-outbox-message-once'`.execute(old.db);
      await sql`insert into statuses (id, referral_id, from_country, to_country, state, outcome, reason, iat, jws, direction, created_at)
        values ('s-old', 'r-old', 'TH', 'KH', 'located', null, null, ${now}, 'signed.status.old', 'out', ${now})`.execute(old.db);
      await sql`insert into outbox (message_id, kind, peer, jws, state, attempts, next_attempt_at, created_at)
        values ('s-old', 'status', 'KH', 'signed.status.old', 'queued', 0, ${now}, ${now})`.execute(old.db);
      await old.close();
      old = await openDatabase({ location: scratch.location });
      const outbox = (await old.db.introspection.getTables()).find((t) => t.name === 'outbox');
      expect(outbox?.columns.map((c) => c.name)).not.toContain('jws');
      expect(outbox?.columns.map((c) => c.name)).toContain('message_id');
      const batch = await claim(old.db, { peer: 'KH', worker: 'w-2', now, leaseMs: 5_000, limit: 10 });
      expect(batch.map((r) => [r.message_id, r.kind, r.jws])).toEqual([['s-old', 'status', 'signed.status.old']]);
    } finally {
      await old.close();
      await scratch.dispose();
    }
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
