import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchLocation, testsUsePostgres } from '../testing/scratch-db.js';
import { type DatabaseHandle, openDatabase } from './database.js';
import { fixed, fixedList, fixedValues } from './fixed.js';

const dialect = testsUsePostgres() ? 'PostgreSQL' : 'SQLite';

describe(`fixed statements (${dialect})`, () => {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const scratch = await scratchLocation('fixed');
    handle = await openDatabase({ location: scratch.location });
    cleanup = scratch.dispose;
  });
  afterAll(async () => {
    await handle?.close();
    await cleanup?.();
  });

  const upsert = fixed<never, [country: string, heard: number, attempt: number]>(
    `insert into peers (country, last_heard_at, last_attempt_at, backoff_level) values (?, ?, ?, 0)
    on conflict (country) do update set last_heard_at = excluded.last_heard_at`,
  );
  const heard = fixedList<{ country: string; last_heard_at: number }, string, [since: number]>(
    'select country, last_heard_at from peers where country in (??) and last_heard_at >= ? order by country',
  );

  it('binds each value to its mark, in order, and reports the rows a write changed', async () => {
    const first = await upsert.run(handle.db, ['KH', 10, 11]);
    expect(first.numAffectedRows).toBe(1n);
    await upsert.run(handle.db, ['TH', 20, 21]);
    await upsert.run(handle.db, ['VN', 5, 6]);
    await upsert.run(handle.db, ['KH', 30, 31]);
    const rows = await handle.db.selectFrom('peers').select(['country', 'last_heard_at', 'last_attempt_at']).orderBy('country').execute();
    expect(rows).toEqual([
      { country: 'KH', last_heard_at: 30, last_attempt_at: 11 },
      { country: 'TH', last_heard_at: 20, last_attempt_at: 21 },
      { country: 'VN', last_heard_at: 5, last_attempt_at: 6 },
    ]);
  });

  it('answers a list of any length as the same set padded, with the parameters after the list', async () => {
    expect(await heard.rows(handle.db, [], [0])).toEqual([]);
    expect(await heard.rows(handle.db, ['TH'], [0])).toEqual([{ country: 'TH', last_heard_at: 20 }]);
    // Three values are sent as four (the last repeated): still one row each, and the parameter after
    // the list still lands on its own mark.
    expect(await heard.rows(handle.db, ['VN', 'KH', 'TH'], [10])).toEqual([
      { country: 'KH', last_heard_at: 30 },
      { country: 'TH', last_heard_at: 20 },
    ]);
    expect(await heard.rows(handle.db, ['VN', 'KH', 'TH', 'XX', 'YY'], [0])).toHaveLength(3);
  });

  it('runs inside a transaction, on its connection', async () => {
    await handle.db.transaction().execute(async (trx) => {
      await upsert.run(trx, ['MY', 40, 41]);
      expect(await heard.rows(trx, ['MY'], [0])).toEqual([{ country: 'MY', last_heard_at: 40 }]);
    });
  });

  it('updates a batch of rows from one statement of values, padded, with parameters before and after the rows', async () => {
    const heardBatch = fixedValues<{ country: string }, [country: string, heard: number], [attempt: number, level: number]>(
      `update peers set last_heard_at = v.column2, last_attempt_at = ?
      from (values ??) as v where peers.country = v.column1 and peers.backoff_level = ? returning country`,
      '(?, cast(? as bigint))',
    );
    expect(await heardBatch.rows(handle.db, [], [0, 0])).toEqual([]);
    // Three rows go as four (the last repeated), one of them naming no peer: two rows change, once each.
    const changed = await heardBatch.rows(
      handle.db,
      [
        ['KH', 50],
        ['XX', 51],
        ['VN', 52],
      ],
      [99, 0],
    );
    expect(changed.map((r) => r.country).sort()).toEqual(['KH', 'VN']);
    const rows = await handle.db.selectFrom('peers').select(['country', 'last_heard_at', 'last_attempt_at']).orderBy('country').execute();
    expect(rows.filter((r) => r.country === 'KH' || r.country === 'VN' || r.country === 'TH')).toEqual([
      { country: 'KH', last_heard_at: 50, last_attempt_at: 99 },
      { country: 'TH', last_heard_at: 20, last_attempt_at: 21 },
      { country: 'VN', last_heard_at: 52, last_attempt_at: 99 },
    ]);
    // The parameter after the rows lands on its own mark: no peer has backoff level 1.
    expect(await heardBatch.rows(handle.db, [['KH', 60]], [99, 1])).toEqual([]);
    expect(() => heardBatch.run(handle.db, [['KH'] as unknown as [string, number]], [0, 0])).toThrow(/has 2 values, given 1/);
  });

  it('refuses a call with the wrong number of values, and a text whose marks it cannot count', async () => {
    expect(() => upsert.run(handle.db, ['KH', 1] as unknown as [string, number, number])).toThrow(/takes 3 parameters, given 2/);
    expect(() => fixed("select 1 from peers where country = '?'")).toThrow(/no \? inside a literal/);
    expect(() => fixed("select 1 from peers where country = 'it''s ?'")).toThrow(/no \? inside a literal/);
    // Marks between two literals are marks, not a literal's text.
    expect(() => fixed("select 1 from outbox where state = 'queued' and peer = ? and kind = 'status'")).not.toThrow();
    expect(() => fixed('select 1 from peers where country = ?', 'select 1 from peers')).toThrow(/other marks/);
    expect(() => fixedList('select 1 from peers where last_heard_at > ? and country in (??)')).toThrow(/list comes before/);
    expect(() => fixedList('select 1 from peers where country = ?')).toThrow(/exactly one/);
  });
});
