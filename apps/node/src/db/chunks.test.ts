import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchLocation, testsUsePostgres } from '../testing/scratch-db.js';
import { inList, insertRows, statementSizes } from './chunks.js';
import { type DatabaseHandle, openDatabase } from './database.js';

const dialect = testsUsePostgres() ? 'PostgreSQL' : 'SQLite';

describe(`insertRows (${dialect})`, () => {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const scratch = await scratchLocation('chunks');
    handle = await openDatabase({ location: scratch.location });
    cleanup = scratch.dispose;
  });
  afterAll(async () => {
    await handle?.close();
    await cleanup?.();
  });

  const row = (n: number) => ({
    message_id: `m-${n}`,
    kind: n % 2 ? ('status' as const) : ('referral' as const),
    digest: `sha256:${n}`,
    from_country: 'TH',
    jws: `jws-${n}`,
    receipt: `receipt-${n}`,
    received_at: 1_000 + n,
    seal: null,
  });

  it('inserts in statements of a power-of-two number of rows, so a table has few statement shapes', () => {
    expect(statementSizes(49, 100)).toEqual([32, 16, 1]);
    expect(statementSizes(300, 100)).toEqual([64, 64, 64, 64, 32, 8, 4]);
    expect(statementSizes(1, 200)).toEqual([1]);
    expect(statementSizes(0, 200)).toEqual([]);
    const shapes = new Set(Array.from({ length: 500 }, (_, n) => statementSizes(n + 1, 200)).flat());
    expect([...shapes].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
  });

  it('pads an in-list to a power-of-two count with its last value, the same set', () => {
    expect(inList([])).toEqual([]);
    expect(inList(['a'])).toEqual(['a']);
    expect(inList(['a', 'b', 'c'])).toEqual(['a', 'b', 'c', 'c']);
    expect(inList(Array.from({ length: 300 }, (_, i) => i))).toHaveLength(512);
    const shapes = new Set(Array.from({ length: 500 }, (_, n) => inList(Array.from({ length: n + 1 }, (_, i) => i)).length));
    expect(shapes.size).toBe(10);
  });

  it('stores every row, with every value in its column, across chunk boundaries', async () => {
    const rows = Array.from({ length: 7 }, (_, n) => row(n));
    await insertRows(handle.db, 'received', rows, 3);
    const stored = await handle.db.selectFrom('received').selectAll().where('message_id', 'like', 'm-%').orderBy('received_at').execute();
    expect(stored).toEqual(rows);
  });

  it('takes rows whose columns differ through Kysely, with the same result', async () => {
    const a = row(100);
    const { kind, ...rest } = row(101);
    const reordered = { kind, ...rest };
    await insertRows(handle.db, 'received', [a, reordered], 10);
    const stored = await handle.db
      .selectFrom('received')
      .selectAll()
      .where('message_id', 'in', ['m-100', 'm-101'])
      .orderBy('received_at')
      .execute();
    expect(stored).toEqual([a, row(101)]);
  });

  it('skips rows that clash on the conflict columns when asked, and refuses them otherwise', async () => {
    const first = { seq: 1, at: 1, kind: 'k', ref: 'r', digest: 'd', prev_hash: 'p', hash: 'h' };
    await insertRows(handle.db, 'audit', [first], 2);
    await expect(insertRows(handle.db, 'audit', [first], 2)).rejects.toThrow();
    await insertRows(handle.db, 'audit', [first, { ...first, seq: 2, hash: 'h2' }], 2, { ignoreConflictOn: ['seq'] });
    const seqs = await handle.db.selectFrom('audit').select(['seq', 'hash']).orderBy('seq').execute();
    expect(seqs.map((s) => [Number(s.seq), s.hash])).toEqual([
      [1, 'h'],
      [2, 'h2'],
    ]);
  });

  it('refuses an identifier that is not a plain lowercase name', async () => {
    await expect(insertRows(handle.db, 'received', [{ ...row(200), ['bad"col' as 'jws']: 'x' }], 1)).rejects.toThrow(/identifier/);
  });
});
