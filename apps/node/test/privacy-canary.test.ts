import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../src/audit/audit-log.js';
import { deepCheck } from '../src/audit/deep-check.js';
import { cliOperator } from '../src/privacy/purpose.js';
import { exportComplaints } from '../src/privacy/reads.js';
import { type CanaryHit, scanDirectory, scanPostgres } from '../src/testing/canary-scan.js';
import { createTestFederation, OPERATION, type TestFederation } from '../src/testing/federation.js';
import { ipIn } from '../src/testing/fixtures.js';
import { testsUsePostgres } from '../src/testing/scratch-db.js';

/**
 * Issue #21, OPERATIONS.md §8: personal data erased leaves no byte behind in what the node controls.
 * Complaints carrying canary values are filed, read, exported, referred and erased; then every file of
 * the node's data folder (database, WAL, evidence store, its trace-level log) and, on PostgreSQL,
 * every page of every relation of its database is searched for each canary in every encoding it could
 * take. The same for a received referral erased past its review date (its IP, stored as text and inside
 * the signed message's base64url). Each search is first shown to find the canaries before erasure.
 * PostgreSQL limits (not searched, beyond the node): the server's WAL segments, archives and backups.
 */
const dialect = testsUsePostgres() ? 'PostgreSQL' : 'SQLite';
const DAY = 86_400_000;

describe(`erasure leaves no byte of personal data (${dialect})`, () => {
  let f: TestFederation;
  const shift = { ms: 0 };
  const run = randomBytes(4).toString('hex');
  const canaries = [0, 1, 2, 3].map((i) => ({
    name: `CANARYNAME${run}x${i}`,
    contact: `CANARYPHONE${run}x${i}`,
    narrative: `CANARYSTORY${run}x${i}`,
    file: `CANARYFILE${run}x${i}`,
  }));
  const all = canaries.flatMap((c) => Object.values(c));

  const scan = async (country: string, values: readonly string[]): Promise<CanaryHit[]> => {
    const node = f.node(country);
    const hits = scanDirectory(join(f.root, country), values);
    if (node.ctx.config.database) hits.push(...(await scanPostgres(node.ctx.config.database, values)));
    return hits;
  };
  const found = (hits: CanaryHit[]) => new Set(hits.map((h) => h.canary));

  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'], logToDataDir: true, clocks: { KH: { now: () => Date.now() + shift.ms } } });
  });
  afterAll(() => f.close());

  it('a complaint filed, read, exported, referred and erased leaves nothing in the data folder or database', async () => {
    const th = f.node('TH');
    const officerToken = await f.token(th, 'officer');
    const officer = f.client(th, officerToken);
    const admin = f.client(th, await f.token(th, 'admin'));
    const ids: string[] = [];
    const digests: string[] = [];
    // Two filed one by one with an uploaded file; the first with a narrative long enough for SQLite's
    // overflow pages and PostgreSQL's TOAST table, and random so that PostgreSQL stores it uncompressed
    // (a compressed value could hold a canary no byte search sees).
    for (const c of canaries.slice(0, 2)) {
      const created = await officer.bureau.complaints.create.mutate({
        victimName: c.name,
        victimContact: c.contact,
        amountLost: 5000,
        currency: 'THB',
        scamType: 'fake_police',
        narrative: ids.length === 0 ? `${c.narrative} ${randomBytes(4500).toString('hex')} ${c.narrative}` : c.narrative,
        occurredAt: '2015-06-01',
        reportedAt: '2015-06-02',
      });
      const upload = await fetch(`${th.url}/bureau/evidence?complaintId=${created.id}&filename=${c.file}.html`, {
        method: 'POST',
        headers: { authorization: `Bearer ${officerToken}`, 'content-type': 'text/html' },
        body: `<p>${c.file} ${c.name}</p>`,
      });
      ids.push(created.id);
      digests.push(((await upload.json()) as { digest: string }).digest);
    }
    // Two imported with inline files; then enough other complaints to split and move the pages they sit on.
    const imported = await officer.bureau.complaints.createMany.mutate({
      complaints: canaries.slice(2).map((c) => ({
        victimName: c.name,
        victimContact: c.contact,
        amountLost: 100,
        currency: 'THB',
        scamType: 'romance' as const,
        narrative: c.narrative,
        occurredAt: '2015-06-01',
        reportedAt: '2015-06-02',
        attachments: [{ filename: `${c.file}.txt`, base64: Buffer.from(`${c.file} ${c.contact}`).toString('base64') }],
      })),
    });
    ids.push(...imported.ids);
    digests.push(...imported.evidence.map((e) => e[0] as string));
    await officer.bureau.complaints.createMany.mutate({
      complaints: Array.from({ length: 300 }, (_, i) => ({
        victimName: `Other victim ${i}`,
        victimContact: `+66-${i}`,
        amountLost: i,
        currency: 'THB',
        scamType: 'investment' as const,
        narrative: `another story ${i} `.repeat(20),
        occurredAt: '2015-06-01',
        reportedAt: '2015-06-02',
      })),
    });
    // Read every way an operator can: opened, a file fetched, exported; then referred abroad.
    for (const id of ids) expect((await officer.bureau.complaints.get.query({ id, purpose: 'TH-2015-0042' })).id).toBe(id);
    const download = await fetch(`${th.url}/bureau/evidence?complaintId=${ids[0]}&digest=${digests[0]}&purpose=TH-2015-0042`, {
      headers: { authorization: `Bearer ${officerToken}` },
    });
    expect(await download.text()).toContain(canaries[0]?.file);
    await exportComplaints({ db: th.ctx.db, operator: cliOperator(), purpose: 'TH-2015-0042', now: Date.now() }, ids);
    for (const [i, id] of ids.entries())
      await officer.bureau.referrals.create.mutate({
        complaintId: id,
        ip: ipIn(f, 'KH', 40 + i),
        seenAt: '2015-06-01T10:00:00Z',
        evidence: [digests[i] as string],
        action: 'locate',
        urgency: 'urgent',
        operation: OPERATION,
      });
    await f.until(async () => (await th.ctx.db.selectFrom('outbox').select('id').where('state', '=', 'queued').execute()).length === 0);

    // PostgreSQL: statistics gathered now would copy sample values into pg_statistic, out of reach of
    // any erasure, unless personal columns are never sampled (migration 010).
    if (th.ctx.dbKind === 'postgres') await sql`analyze`.execute(th.ctx.db);
    // The search finds every canary while the complaints hold them (it would find a leftover).
    const before = found(await scan('TH', all));
    expect(all.filter((c) => !before.has(c))).toEqual([]);

    const result = await admin.bureau.privacy.erase.mutate({
      items: ids.map((id) => ({ kind: 'complaint' as const, id })),
      reason: 'retention review DPO-2026-17',
    });
    expect(result.erased.map((e) => e.filesRemoved)).toEqual([1, 1, 1, 1]);
    expect(await scan('TH', all)).toEqual([]);

    // What stays: the referrals (no personal data), a verifying chain, the access log and tombstones.
    expect(await verifyAudit(th.ctx.db)).toMatchObject({ ok: true });
    expect((await officer.bureau.referrals.list.query({ limit: 10 })).length).toBe(4);
    const auditor = f.client(th, await f.token(th, 'auditor'));
    const history = await auditor.bureau.privacy.access.query({ id: ids[0] as string });
    expect(history.map((e) => [e.action, e.item, e.purpose || e.reason, e.intact])).toEqual([
      ['read', 'complaint', 'TH-2015-0042', true],
      ['read', `evidence:${digests[0]}`, 'TH-2015-0042', true],
      ['read', 'export', 'TH-2015-0042', true],
      ['erase', '', 'retention review DPO-2026-17', true],
    ]);
  });

  it('a received referral erased past its review date leaves nothing of its IP', async () => {
    const kh = f.node('KH');
    const ip = ipIn(f, 'KH', 40);
    const officer = f.client(kh, await f.token(kh, 'officer'));
    const inbox = await f.until(async () => (await officer.bureau.inbox.list.query()).find((r) => r.ip === ip));
    await officer.bureau.inbox.updateStatus.mutate({ referralId: inbox.id, state: 'closed' });
    // Other referrals hold other IPs: only this one's is looked for.
    expect(found(await scan('KH', [ip]))).toEqual(new Set([ip]));
    const hits = await scan('KH', [ip]);
    expect(hits.some((h) => h.form.startsWith('base64url'))).toBe(true);

    const admin = f.client(kh, await f.token(kh, 'admin'));
    expect((await admin.bureau.privacy.due.query()).map((i) => i.id)).not.toContain(inbox.id);
    shift.ms = (kh.ctx.config.retention.referralDays + 1) * DAY;
    const due = await admin.bureau.privacy.due.query();
    expect(due.find((i) => i.id === inbox.id)).toMatchObject({ kind: 'referral', state: 'closed', from: 'TH' });
    await admin.bureau.privacy.erase.mutate({ items: [{ kind: 'referral', id: inbox.id }], reason: 'past review, case closed' });
    expect(await scan('KH', [ip])).toEqual([]);
    expect(await verifyAudit(kh.ctx.db)).toMatchObject({ ok: true });
    // The deep check re-derives stored messages from their bytes: the erased one is an erasure (its
    // tombstone), not tampering.
    expect(await deepCheck(kh.ctx)).toMatchObject({ ok: true, erased: 1, problems: [] });
    expect((await admin.bureau.privacy.due.query()).map((i) => i.id)).not.toContain(inbox.id);
  });
});
