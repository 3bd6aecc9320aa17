import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-log.js';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import type { ReferralInState } from '../db/schema.js';
import { NodeError } from '../errors.js';
import { createComplaint, listComplaints } from '../intake/complaints.js';
import { storeEvidence } from '../intake/evidence.js';
import { scanPostgres } from '../testing/canary-scan.js';
import { createScratchDatabase, TEST_PG_URL, testsUsePostgres } from '../testing/scratch-db.js';
import { eraseItems } from './erasure.js';
import { privacyHistory } from './log.js';
import type { Operator } from './purpose.js';
import { exportComplaints, openComplaint, openEvidence } from './reads.js';
import { dueForReview, extendReview } from './retention.js';

const dialect = testsUsePostgres() ? 'PostgreSQL' : 'SQLite';
const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const officer: Operator = { id: 'tok1', name: 'Officer Somchai', role: 'officer' };
const admin: Operator = { id: 'tok2', name: 'Reviewer Malee', role: 'admin' };
const retention = { retention: { complaintDays: 30, referralDays: 10 } };

const complaint = (name: string) => ({
  victimName: name,
  victimContact: `${name}@example.org`,
  amountLost: 100,
  currency: 'THB',
  scamType: 'fake_police' as const,
  narrative: `narrative of ${name}`,
  occurredAt: '2025-12-01',
  reportedAt: '2025-12-02',
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof NodeError ? error.code : String(error);
  }
}

describe(`personal data: reads with a purpose, review, erasure (${dialect})`, () => {
  let dir: string;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let pgUrl = '';
  const ctx = () => ({ db: handle.db, dbKind: handle.kind, dataDir: dir, config: retention });
  const evidence = (complaintId: string, text: string, now = T0) =>
    storeEvidence(handle.db, {
      dataDir: dir,
      complaintId,
      filename: 'page.html',
      mediaType: 'text/html',
      body: Readable.from([Buffer.from(text)]),
      maxBytes: 1024,
      now,
    });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'privacy-'));
    if (testsUsePostgres()) {
      const scratch = await createScratchDatabase('privacy');
      pgUrl = scratch.url;
      handle = await openDatabase({ location: scratch.url });
      cleanup = () => scratch.drop();
    } else {
      handle = await openDatabase({ location: join(dir, 'node.db') });
      cleanup = async () => undefined;
    }
  });
  afterEach(async () => {
    await handle.close();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a read without a purpose, or with prose for one, and records nothing', async () => {
    const c = await createComplaint(handle.db, complaint('Anong'), 'officer', T0);
    for (const purpose of [undefined, '', '  ', 'because I wanted to see Anong'])
      expect(await codeOf(openComplaint({ db: handle.db, operator: officer, purpose, now: T0 }, c.id))).toBe('ERR_PURPOSE_REQUIRED');
    const { digest } = await evidence(c.id, 'warrant');
    expect(await codeOf(openEvidence({ db: handle.db, operator: officer, purpose: undefined, now: T0 }, c.id, digest))).toBe(
      'ERR_PURPOSE_REQUIRED',
    );
    expect(await codeOf(exportComplaints({ db: handle.db, operator: officer, purpose: '', now: T0 }, [c.id]))).toBe('ERR_PURPOSE_REQUIRED');
    expect(await privacyHistory(handle.db, c.id)).toEqual([]);
    expect((await verifyAudit(handle.db)).entries).toBe(0);
  });

  it('records who read what and why, each record proven by the audit chain', async () => {
    const c = await createComplaint(handle.db, complaint('Anong'), 'officer', T0);
    const { digest } = await evidence(c.id, 'warrant');
    const opened = await openComplaint({ db: handle.db, operator: officer, purpose: 'TH-2015-0042', now: T0 + 1 }, c.id);
    expect(opened.victimName).toBe('Anong');
    await openEvidence({ db: handle.db, operator: officer, purpose: 'TH-2015-0042', now: T0 + 2 }, c.id, digest);
    await exportComplaints({ db: handle.db, operator: admin, purpose: 'case:4471/2015', now: T0 + 3 }, [c.id]);
    const history = await privacyHistory(handle.db, c.id);
    expect(history.map((e) => [e.action, e.item, e.operator.name, e.purpose, e.intact])).toEqual([
      ['read', 'complaint', 'Officer Somchai', 'TH-2015-0042', true],
      ['read', `evidence:${digest}`, 'Officer Somchai', 'TH-2015-0042', true],
      ['read', 'export', 'Reviewer Malee', 'case:4471/2015', true],
    ]);
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: true, entries: 3 });
    // The audit entries hold the complaint id and a digest, nothing of what was read.
    const audit = await handle.db.selectFrom('audit').selectAll().execute();
    expect(JSON.stringify(audit)).not.toContain('Anong');
    // A record edited after the fact no longer matches its audit entry; one deleted still shows.
    await handle.db.updateTable('privacy_log').set({ purpose: 'TH-2015-9999' }).where('seq', '=', 1).execute();
    await handle.db.deleteFrom('privacy_log').where('seq', '=', 3).execute();
    const checked = await privacyHistory(handle.db, c.id);
    expect(checked.map((e) => e.intact)).toEqual([false, true, false]);
    expect(checked[2]?.reason).toContain('removed');
  });

  it('lists what is past review, from filing for complaints and from closure for referrals, and extends with a reason', async () => {
    const old = await createComplaint(handle.db, complaint('Old'), 'officer', T0);
    await createComplaint(handle.db, complaint('New'), 'officer', T0 + 25 * DAY);
    const base = { from_country: 'KH', to_country: 'TH', ip: '1.2.3.4', port: null, seen_at: '2015-06-01T10:00:00Z', action: 'locate' };
    const row = (id: string, state: ReferralInState, updated: number) => ({
      ...base,
      id,
      urgency: 'routine',
      operation: 'op',
      evidence: '[]',
      iat: 1,
      exp: 2,
      received_at: T0,
      deadline_at: T0,
      state,
      outcome: null,
      reason: null,
      updated_at: updated,
    });
    const closed = '0190f0f0-0000-7000-8000-000000000001';
    const open = '0190f0f0-0000-7000-8000-000000000002';
    await handle.db
      .insertInto('referrals_in')
      .values([row(closed, 'closed', T0 + 5 * DAY), row(open, 'in_progress', T0)])
      .execute();
    expect(await dueForReview(ctx(), T0 + 14 * DAY)).toEqual([]);
    expect((await dueForReview(ctx(), T0 + 16 * DAY)).map((i) => i.id)).toEqual([closed]);
    const due = await dueForReview(ctx(), T0 + 31 * DAY);
    expect(due.map((i) => [i.kind, i.id])).toEqual([
      ['referral', closed],
      ['complaint', old.id],
    ]);
    expect(due[0]?.reviewAt).toBe(T0 + 15 * DAY);
    expect(await codeOf(extendReview(ctx(), { kind: 'referral', id: open, until: '2027-01-01', reason: 'still open' }, admin, T0))).toBe(
      'ERR_CONFLICT',
    );
    expect(await codeOf(extendReview(ctx(), { kind: 'complaint', id: old.id, until: '2025-01-01', reason: 'past' }, admin, T0))).toBe(
      'ERR_INPUT',
    );
    const extended = await extendReview(
      ctx(),
      { kind: 'complaint', id: old.id, until: '2027-01-01', reason: 'trial pending' },
      admin,
      T0 + 31 * DAY,
    );
    expect(extended.previous).toBe(T0 + 30 * DAY);
    expect((await dueForReview(ctx(), T0 + 31 * DAY)).map((i) => i.id)).toEqual([closed]);
    const [entry] = await privacyHistory(handle.db, old.id);
    expect(entry).toMatchObject({ action: 'extend', reason: 'trial pending', intact: true, operator: { name: 'Reviewer Malee' } });
  });

  it('erases a complaint: personal fields and evidence gone, tombstone kept, shared files kept, chain intact', async () => {
    const a = await createComplaint(handle.db, complaint('Anong'), 'officer', T0);
    const b = await createComplaint(handle.db, complaint('Boon'), 'officer', T0);
    const own = await evidence(a.id, 'only Anong has this');
    const shared = await evidence(a.id, 'the same warrant page');
    await evidence(b.id, 'the same warrant page');
    const result = await eraseItems(ctx(), { items: [{ kind: 'complaint', id: a.id }], reason: 'victim asked (ref DPO-7)' }, admin, T0 + 9);
    expect(result.erased[0]).toMatchObject({ alreadyErased: false, filesRemoved: 1, filesKept: 1 });
    expect(result.purge.database).toBe(dialect === 'SQLite' ? 'sqlite' : 'postgres');
    if (dialect === 'SQLite') expect(result.purge.walTruncated).toBe(true);
    else expect(result.purge.vacuumed).toEqual(['complaints', 'evidence']);
    const row = await handle.db.selectFrom('complaints').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
    expect([row.victim_name, row.victim_contact, row.narrative, Number(row.erased_at)]).toEqual(['', '', '', T0 + 9]);
    expect(await handle.db.selectFrom('evidence').selectAll().where('complaint_id', '=', a.id).execute()).toEqual([]);
    const files = readdirSync(join(dir, 'evidence'));
    expect(files).toEqual([shared.digest.slice(7)]);
    expect(files).not.toContain(own.digest.slice(7));
    expect(await codeOf(openComplaint({ db: handle.db, operator: officer, purpose: 'TH-1', now: T0 }, a.id))).toBe('ERR_ERASED');
    expect(await codeOf(evidence(a.id, 'more'))).toBe('ERR_ERASED');
    expect((await listComplaints(handle.db, { limit: 10 })).find((c) => c.id === a.id)?.erasedAt).toBe(T0 + 9);
    const [tomb] = await privacyHistory(handle.db, a.id);
    expect(tomb).toMatchObject({ action: 'erase', reason: 'victim asked (ref DPO-7)', intact: true });
    expect(tomb?.detail).toMatchObject({ evidence: [own.digest, shared.digest].sort() });
    expect(await verifyAudit(handle.db)).toMatchObject({ ok: true });
    // Again: no second tombstone; the purge runs again.
    const again = await eraseItems(ctx(), { items: [{ kind: 'complaint', id: a.id }], reason: 'again' }, admin, T0 + 10);
    expect(again.erased[0]?.alreadyErased).toBe(true);
    expect((await privacyHistory(handle.db, a.id)).length).toBe(1);
    expect(existsSync(join(dir, 'evidence', shared.digest.slice(7)))).toBe(true);
  });

  it.skipIf(testsUsePostgres())('rebuilds a SQLite database once when it holds rows from before secure_delete', async () => {
    const pragma = await sql<{ secure_delete: number }>`pragma secure_delete`.execute(handle.db);
    expect(Number(pragma.rows[0]?.secure_delete)).toBe(1);
    // Migration 010 marks a database that already held complaints; a fresh one is not marked.
    expect(await handle.db.selectFrom('kv').selectAll().where('key', '=', 'privacy.vacuum_pending').execute()).toEqual([]);
    await handle.db.insertInto('kv').values({ key: 'privacy.vacuum_pending', value: '1' }).execute();
    const a = await createComplaint(handle.db, complaint('Anong'), 'officer', T0);
    const first = await eraseItems(ctx(), { items: [{ kind: 'complaint', id: a.id }], reason: 'victim asked' }, admin, T0);
    expect(first.purge).toEqual({ database: 'sqlite', vacuumed: ['(database file)'], walTruncated: true, snapshotsCleared: null });
    const b = await createComplaint(handle.db, complaint('Boon'), 'officer', T0);
    const second = await eraseItems(ctx(), { items: [{ kind: 'complaint', id: b.id }], reason: 'victim asked' }, admin, T0);
    expect(second.purge.vacuumed).toEqual([]);
  });

  it.skipIf(!testsUsePostgres())('rewrites only once no transaction older than the erasure can keep the old row', async () => {
    const a = await createComplaint(handle.db, complaint('CANARYOLDSNAPSHOT'), 'officer', T0);
    // Each, begun before the erasure and holding no lock the rewrite would wait for, makes VACUUM FULL
    // keep the erased row: a snapshot of this database that could still see it, and a transaction
    // with an id in ANOTHER database of the server (every snapshot taken here counts it as running).
    const reader = new pg.Client({ connectionString: pgUrl });
    const writer = new pg.Client({ connectionString: TEST_PG_URL });
    await Promise.all([reader.connect(), writer.connect()]);
    await reader.query('begin isolation level repeatable read');
    await reader.query('select count(*) from kv');
    await writer.query('begin');
    await writer.query('select pg_current_xact_id()');
    let settled = false;
    const erasing = eraseItems(ctx(), { items: [{ kind: 'complaint', id: a.id }], reason: 'victim asked' }, admin, T0).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 700));
    await reader.query('commit');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(settled).toBe(false);
    await writer.query('commit');
    await Promise.all([reader.end(), writer.end()]);
    expect((await erasing).purge).toMatchObject({ snapshotsCleared: true, vacuumed: ['complaints', 'evidence'] });
    expect(await scanPostgres(pgUrl, ['CANARYOLDSNAPSHOT'])).toEqual([]);
  });
});
