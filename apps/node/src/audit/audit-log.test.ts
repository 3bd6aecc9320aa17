import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import { scratchLocation, testsUsePostgres } from '../testing/scratch-db.js';
import { auditHeadText, readAuditHead } from './audit-head.js';
import { appendAudit, entryHash, exportAudit, GENESIS_HASH, verifyAudit } from './audit-log.js';

const dialect = testsUsePostgres() ? 'PostgreSQL' : 'SQLite';

const entry = (i: number) => ({ at: 1000 + i, kind: 'sent.referral', ref: `r${i}@KH`, digest: `sha256:${String(i % 10).repeat(64)}` });

describe(`the audit chain (${dialect})`, () => {
  let location: string;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const scratch = await scratchLocation('audit');
    location = scratch.location;
    cleanup = scratch.dispose;
    handle = await openDatabase({ location });
    for (let i = 0; i < 5; i++) await appendAudit(handle.db, [entry(i)]);
  });
  afterEach(async () => {
    await handle.close();
    await cleanup();
  });

  const stored = async (seq: number) => {
    const row = await handle.db.selectFrom('audit').select(['seq', 'hash']).where('seq', '=', seq).executeTakeFirstOrThrow();
    return { seq: Number(row.seq), hash: row.hash };
  };

  it('verifies an untouched chain and reports its head, which the anchor holds', async () => {
    const head = await stored(5);
    expect(await verifyAudit(handle.db)).toEqual({ ok: true, entries: 5, headSeq: 5, head: head.hash });
    expect(await readAuditHead(handle.db)).toEqual(head);
  });

  it('finds an edited entry', async () => {
    await handle.db.updateTable('audit').set({ ref: 'r2@VN' }).where('seq', '=', 3).execute();
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('finds a removed entry', async () => {
    await handle.db.deleteFrom('audit').where('seq', '=', 2).execute();
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('finds reordered entries even with their hashes carried along', async () => {
    const rows = await handle.db.selectFrom('audit').selectAll().orderBy('seq').execute();
    const [a, b] = [rows[1], rows[2]];
    if (!a || !b) throw new Error('fixture');
    await handle.db
      .updateTable('audit')
      .set({ kind: b.kind, ref: b.ref, digest: b.digest, at: b.at, prev_hash: b.prev_hash, hash: b.hash })
      .where('seq', '=', 2)
      .execute();
    await handle.db
      .updateTable('audit')
      .set({ kind: a.kind, ref: a.ref, digest: a.digest, at: a.at, prev_hash: a.prev_hash, hash: a.hash })
      .where('seq', '=', 3)
      .execute();
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('finds the last entry removed', async () => {
    const four = await stored(4);
    await handle.db.deleteFrom('audit').where('seq', '=', 5).execute();
    expect(await verifyAudit(handle.db)).toEqual({
      ok: false,
      entries: 4,
      headSeq: 4,
      head: four.hash,
      brokenAt: 5,
      problem: 'the log ends at entry 4 but entry 5 was written: entry 5 was removed',
    });
  });

  it('finds the last three entries removed', async () => {
    await handle.db.deleteFrom('audit').where('seq', '>', 2).execute();
    expect(await verifyAudit(handle.db)).toMatchObject({
      ok: false,
      headSeq: 2,
      brokenAt: 3,
      problem: 'the log ends at entry 2 but entry 5 was written: entries 3–5 were removed',
    });
  });

  it('finds every entry removed', async () => {
    await handle.db.deleteFrom('audit').execute();
    expect(await verifyAudit(handle.db)).toMatchObject({
      ok: false,
      entries: 0,
      headSeq: 0,
      head: GENESIS_HASH,
      brokenAt: 1,
      problem: 'the log is empty but entry 5 was written: entries 1–5 were removed',
    });
  });

  it('keeps a cut-off end visible as a gap after the next append, instead of writing over it', async () => {
    await handle.db.deleteFrom('audit').where('seq', '>', 3).execute();
    await appendAudit(handle.db, [entry(9)]);
    const verdict = await verifyAudit(handle.db);
    expect(verdict).toMatchObject({ ok: false, brokenAt: 6, headSeq: 6 });
    expect(verdict.ok ? '' : verdict.problem).toContain('expected entry 4, found 6');
  });

  it('finds an edited last entry, even with its hash recomputed, by the anchor', async () => {
    const four = await stored(4);
    const forged = { ...entry(4), ref: 'r4@VN' };
    await handle.db
      .updateTable('audit')
      .set({ ref: forged.ref, hash: entryHash(four.hash, 5, forged) })
      .where('seq', '=', 5)
      .execute();
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: false, brokenAt: 5, problem: expect.stringContaining('head anchor') });
  });

  it('fails when the anchor was deleted: a cut-off end could no longer be ruled out', async () => {
    await handle.db.deleteFrom('audit_head').execute();
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: false, problem: expect.stringContaining('anchor is missing') });
  });

  it('finds entries written past the anchor, and covers them from the next append on', async () => {
    const five = await stored(5);
    const sixth = entry(6);
    const hash = entryHash(five.hash, 6, sixth);
    await handle.db
      .insertInto('audit')
      .values({ seq: 6, ...sixth, prev_hash: five.hash, hash })
      .execute();
    expect(await verifyAudit(handle.db)).toMatchObject({
      ok: false,
      brokenAt: 6,
      problem: expect.stringContaining('entry 6 is past the head anchor (entry 5)'),
    });
    await appendAudit(handle.db, [entry(7)]);
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: true, entries: 7, headSeq: 7 });
  });

  it('accepts a head written down earlier that the log still holds', async () => {
    const three = await stored(3);
    expect(await verifyAudit(handle.db, { expectHead: three })).toMatchObject({ ok: true, entries: 5 });
    expect(await verifyAudit(handle.db, { expectHead: { seq: 0, hash: GENESIS_HASH } })).toMatchObject({ ok: true });
  });

  it('finds, by the head written down, an end cut off together with a rewritten anchor', async () => {
    const five = await stored(5);
    const three = await stored(3);
    await handle.db.deleteFrom('audit').where('seq', '>', 3).execute();
    await handle.db.updateTable('audit_head').set(three).execute();
    // The database alone now looks whole: only the auditor's own copy of the head tells.
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: true, headSeq: 3 });
    expect(await verifyAudit(handle.db, { expectHead: five })).toMatchObject({
      ok: false,
      brokenAt: 4,
      problem: `the log ends at entry 3 but entry 5 was written: entries 4–5 were removed (expected head 5:${five.hash})`,
    });
  });

  it('finds a log rewritten under a head written down earlier', async () => {
    const five = await stored(5);
    await handle.db.deleteFrom('audit').where('seq', '>', 2).execute();
    await handle.db
      .updateTable('audit_head')
      .set(await stored(2))
      .execute();
    for (let i = 0; i < 4; i++) await appendAudit(handle.db, [{ ...entry(i), ref: `forged${i}@VN` }]);
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: true, headSeq: 6 });
    expect(await verifyAudit(handle.db, { expectHead: five })).toMatchObject({
      ok: false,
      brokenAt: 5,
      problem: expect.stringContaining('entry 5 is not the expected head'),
    });
  });

  it('anchors a database from before the anchor existed, from its chain as it stands', async () => {
    const five = await stored(5);
    // A database from before 004: neither its table nor any later migration's.
    await handle.db.schema.dropTable('audit_head').execute();
    await handle.db.schema
      .alterTable('outbox')
      .addColumn('jws', 'text', (c) => c.notNull().defaultTo(''))
      .execute(); // 015
    await handle.db.schema.dropTable('receipt_batches').execute();
    await handle.db.schema.dropTable('seals').execute();
    await handle.db.schema.dropTable('bulk_requests').execute();
    await handle.db.schema.dropIndex('referrals_in_open').execute();
    await handle.db.schema.alterTable('received').dropColumn('seal').execute();
    // 010-privacy's table, index and columns, and 011's column: every migration after 003 is undone here
    // (a new migration that adds a column or table must be undone here too, or migrating again fails).
    await handle.db.schema.dropTable('privacy_log').execute();
    await handle.db.schema.dropTable('liaison_figures').execute(); // 014-liaison-figures
    await handle.db.schema.dropIndex('audit_privacy_ref').execute();
    for (const [table, column] of [
      ['complaints', 'review_at'],
      ['complaints', 'erased_at'],
      ['referrals_in', 'review_at'],
      ['liaison_statuses', 'has_outcome'], // 011-status-outcome-flag
      ['dir_members', 'tls_pins'], // 012-member-tls-pins
      ['dir_members', 'tls_pins_pending'], // 013-member-tls-pins-pending
      ...(['statuses', 'outcome_iat', 'outcome_id', 'suspects', 'arrests', 'premises', 'call_centres'] as const).map(
        (column) => ['liaison_referrals', column] as const, // 014-liaison-figures
      ),
    ] as const)
      await handle.db.schema.alterTable(table).dropColumn(column).execute();
    await sql`delete from kv where key = 'privacy.vacuum_pending'`.execute(handle.db);
    await sql`delete from kysely_migration where name >= '004'`.execute(handle.db);
    await handle.close();
    handle = await openDatabase({ location });
    expect(await readAuditHead(handle.db)).toEqual(five);
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: true, entries: 5 });
    await appendAudit(handle.db, [entry(5)]);
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: true, entries: 6, headSeq: 6 });
  });

  it('keeps one chain and its anchor under concurrent appends, and verifying meanwhile never cries wolf', async () => {
    const appends = Array.from({ length: 20 }, (_, i) => appendAudit(handle.db, [entry(i), entry(i + 1)]));
    const verdicts = Array.from({ length: 5 }, () => verifyAudit(handle.db));
    await Promise.all(appends);
    for (const v of await Promise.all(verdicts)) expect(v).toMatchObject({ ok: true });
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: true, entries: 45, headSeq: 45 });
    expect(await readAuditHead(handle.db)).toEqual(await stored(45));
  });

  it('exports JSON Lines with the chain fields', async () => {
    const lines: string[] = [];
    for await (const line of exportAudit(handle.db)) lines.push(line);
    expect(lines).toHaveLength(5);
    const first = JSON.parse(lines[0] ?? '');
    expect(Object.keys(first).sort()).toEqual(['at', 'digest', 'hash', 'kind', 'prev_hash', 'ref', 'seq']);
  });
});

describe('a head as an auditor writes it down', () => {
  const hex = 'ab'.repeat(32);

  it('reads <seq>:<hash>, with or without the sha256: prefix, in either case', () => {
    expect(auditHeadText.parse(`52:sha256:${hex}`)).toEqual({ seq: 52, hash: `sha256:${hex}` });
    expect(auditHeadText.parse(` 52:${hex.toUpperCase()} `)).toEqual({ seq: 52, hash: `sha256:${hex}` });
  });

  it.each(['', '52', `sha256:${hex}`, `-1:sha256:${hex}`, `52:sha256:${hex.slice(2)}`, `52:md5:${hex}`, `1e3:${hex}`])(
    'rejects %j with how to write it',
    (text) => {
      const result = auditHeadText.safeParse(text);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toContain('must be <seq>:<hash>');
    },
  );
});
