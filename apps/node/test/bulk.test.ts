import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeError } from '../src/errors.js';
import { complaintsInput, importComplaints } from '../src/intake/complaints.js';
import { createTestFederation, OPERATION, type TestFederation } from '../src/testing/federation.js';
import { CANARY, fileComplaint, ipIn } from '../src/testing/fixtures.js';
import { refusal } from './helpers/refusal.js';

const complaint = (n: number) => ({
  victimName: `${CANARY.name} ${n}`,
  victimContact: CANARY.contact,
  amountLost: 1000 + n,
  currency: 'THB',
  scamType: 'fake_police' as const,
  narrative: CANARY.narrative,
  occurredAt: '2015-06-01',
  reportedAt: '2015-06-02',
});

/** A referral to KH citing one filed case's evidence, from a distinct address. */
const referralOf = (f: TestFederation, c: { complaintId: string; digest: string }, offset: number) => ({
  complaintId: c.complaintId,
  ip: ipIn(f, 'KH', offset),
  seenAt: '2015-06-01T10:00:00Z',
  evidence: [c.digest],
  action: 'locate' as const,
  urgency: 'urgent' as const,
  operation: OPERATION,
});

/** The receipt batch each outbox row's verdict came in (`batch:<digest>:<index>`), per message id. */
async function batchesOf(f: TestFederation, country: string, ids: string[], peer: string) {
  const rows = await f
    .node(country)
    .ctx.db.selectFrom('outbox')
    .select(['message_id', 'receipt', 'state'])
    .where('message_id', 'in', ids)
    .where('peer', '=', peer)
    .execute();
  return rows;
}

describe('bulk bureau calls: a bureau working a batch of cases at once', () => {
  let f: TestFederation;
  let thOfficer: string;
  let khOfficer: string;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'] });
    thOfficer = await f.token(f.node('TH'), 'officer');
    khOfficer = await f.token(f.node('KH'), 'officer');
  });
  afterAll(() => f.close());

  it('imports complaints in one call, ids in order, or none when one is invalid', async () => {
    const th = f.client(f.node('TH'), thOfficer);
    const { ids } = await th.bureau.complaints.createMany.mutate({ complaints: [complaint(1), complaint(2), complaint(3)] });
    expect(ids).toHaveLength(3);
    for (const [i, id] of ids.entries())
      expect((await th.bureau.complaints.get.query({ id, purpose: 'TH-IMPORT-1' })).victimName).toBe(`${CANARY.name} ${i + 1}`);

    const before = (await th.bureau.complaints.list.query({ limit: 500 })).length;
    const bad = await refusal(
      th.bureau.complaints.createMany.mutate({ complaints: [complaint(4), { ...complaint(5), currency: 'baht' }] }),
    );
    expect(bad).toMatchObject({ status: 400, code: 'ERR_INPUT' });
    expect(bad.message).toContain('complaints.1.currency');
    expect((await th.bureau.complaints.list.query({ limit: 500 })).length).toBe(before);
    expect(await refusal(th.bureau.complaints.createMany.mutate({ complaints: [] }))).toMatchObject({ status: 400, code: 'ERR_INPUT' });
    const tooMany = Array.from({ length: 501 }, (_, i) => complaint(i));
    expect(await refusal(th.bureau.complaints.createMany.mutate({ complaints: tooMany }))).toMatchObject({
      status: 400,
      code: 'ERR_INPUT',
    });
  });

  it('imports complaints with their evidence files inline: digests in order, files kept 0600, citable by a referral', async () => {
    const thNode = f.node('TH');
    const th = f.client(thNode, thOfficer);
    const page = '<html>fake arrest warrant, site 7</html>';
    const receipt = 'bank transfer receipt';
    const { ids, evidence } = await th.bureau.complaints.createMany.mutate({
      complaints: [
        {
          ...complaint(10),
          attachments: [
            { filename: 'warrant.html', mediaType: 'text/html', base64: Buffer.from(page).toString('base64') },
            { filename: 'receipt.txt', base64: Buffer.from(receipt).toString('base64') },
          ],
        },
        complaint(11),
      ],
    });
    const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
    expect(evidence).toEqual([[sha(page), sha(receipt)], []]);
    const file = join(thNode.ctx.dataDir, 'evidence', sha(page).slice(7));
    expect(readFileSync(file, 'utf8')).toBe(page);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const [first] = await th.bureau.referrals.createMany.mutate({
      referrals: [{ ...referralOf(f, { complaintId: ids[0] as string, digest: sha(page) }, 50), evidence: [sha(page), sha(receipt)] }],
    });
    expect(first).toMatchObject({ ok: true, to: 'KH' });

    // The same file attached again is kept once, not written again (the same inode); a file at its name
    // that does not hold its bytes (zeroed by a purge cut off before its unlink) is written afresh.
    const again = (n: number) =>
      th.bureau.complaints.createMany.mutate({
        complaints: [{ ...complaint(n), attachments: [{ filename: 'warrant.html', base64: Buffer.from(page).toString('base64') }] }],
      });
    const inode = statSync(file).ino;
    expect((await again(12)).evidence).toEqual([[sha(page)]]);
    expect(statSync(file).ino).toBe(inode);
    writeFileSync(file, Buffer.alloc(page.length));
    expect((await again(13)).evidence).toEqual([[sha(page)]]);
    expect(readFileSync(file, 'utf8')).toBe(page);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // Too large (a file over evidenceMaxBytes, or a request over the API's 9 MiB), or not base64: the
    // whole import is refused and nothing is created.
    const before = (await th.bureau.complaints.list.query({ limit: 500 })).length;
    const small = { db: thNode.ctx.db, dataDir: thNode.ctx.dataDir, config: { evidenceMaxBytes: 16 } };
    const overFile = await importComplaints(
      small,
      complaintsInput.parse({
        complaints: [
          complaint(12),
          { ...complaint(13), attachments: [{ filename: 'big.bin', base64: Buffer.alloc(17).toString('base64') }] },
        ],
      }),
      'test',
      Date.now(),
    ).catch((error: unknown) => error);
    expect(overFile).toBeInstanceOf(NodeError);
    expect(overFile).toMatchObject({ code: 'ERR_TOO_LARGE', message: expect.stringContaining('complaints.1.attachments.0') });
    const big = Buffer.alloc(10 * 1024 * 1024, 1).toString('base64');
    const tooLarge = await refusal(
      th.bureau.complaints.createMany.mutate({ complaints: [{ ...complaint(13), attachments: [{ filename: 'big.bin', base64: big }] }] }),
    );
    expect(tooLarge).toMatchObject({ status: 413, code: 'ERR_TOO_LARGE' });
    expect(tooLarge.message).toContain('9 MiB');
    const notBase64 = await refusal(
      th.bureau.complaints.createMany.mutate({
        complaints: [{ ...complaint(14), attachments: [{ filename: 'x', base64: 'not base64!' }] }],
      }),
    );
    expect(notBase64).toMatchObject({ status: 400, code: 'ERR_INPUT' });
    expect(notBase64.message).toContain('complaints.0.attachments.0.base64');
    expect((await th.bureau.complaints.list.query({ limit: 500 })).length).toBe(before);
  });

  it('files referrals in one call: each answered in order, refusals cost the others nothing, the accepted travel together', async () => {
    const thNode = f.node('TH');
    const th = f.client(thNode, thOfficer);
    const cases = [];
    for (let i = 0; i < 4; i++) cases.push(await fileComplaint(f, thNode, thOfficer, `bulk evidence ${i}`));
    const other = await fileComplaint(f, thNode, thOfficer, 'evidence of another complaint');
    const referral = (c: { complaintId: string; digest: string }, offset: number) => referralOf(f, c, 100 + offset);
    const [a, b, c, d] = cases as [(typeof cases)[0], (typeof cases)[0], (typeof cases)[0], (typeof cases)[0]];
    const results = await th.bureau.referrals.createMany.mutate({
      referrals: [
        referral(a, 0),
        { ...referral(b, 1), ip: ipIn(f, 'TH', 5) },
        referral(c, 2),
        { ...referral(d, 3), evidence: [other.digest] },
        { ...referral(d, 4), complaintId: '0190f0c0-0000-7000-8000-000000000000' },
        { ...referral(d, 5), operation: 'no-such-operation' },
        referral(d, 6),
      ],
    });
    expect(results.map((r) => (r.ok ? `ok:${r.to}` : r.code))).toEqual([
      'ok:KH',
      'ERR_IP_DOMESTIC',
      'ok:KH',
      'ERR_INPUT',
      'ERR_NOT_FOUND',
      'ERR_INPUT',
      'ok:KH',
    ]);
    for (const r of results) if (!r.ok) expect(r.message.length).toBeGreaterThan(10);
    const sent = results.flatMap((r) => (r.ok ? [r.id] : []));

    // Received by KH and copied to the liaison office, each set in one delivery answered by one receipt batch.
    const kh = f.client(f.node('KH'), khOfficer);
    await f.until(async () => {
      const inbox = await kh.bureau.inbox.list.query({ limit: 1000 });
      return sent.every((id) => inbox.some((r) => r.id === id));
    });
    for (const peer of ['KH', 'LIAISON']) {
      const rows = await f.until(async () => {
        const rows = await batchesOf(f, 'TH', sent, peer);
        return rows.length === 3 && rows.every((r) => r.state === 'delivered') ? rows : null;
      });
      const batches = new Set(rows.map((r) => r.receipt?.split(':').slice(0, 3).join(':')));
      expect(batches.size).toBe(1);
    }
    // Every accepted referral is audited on its own.
    const audit = await thNode.ctx.db.selectFrom('audit').select('ref').where('kind', '=', 'sent.referral').execute();
    for (const id of sent) expect(audit.some((e) => e.ref === `${id}@KH`)).toBe(true);
  });

  it('moves statuses in one call: each answered in order, the accepted signed, sent together, and seen by the origin', async () => {
    const thNode = f.node('TH');
    const th = f.client(thNode, thOfficer);
    const kh = f.client(f.node('KH'), khOfficer);
    const cases = [];
    for (let i = 0; i < 3; i++) cases.push(await fileComplaint(f, thNode, thOfficer, `status evidence ${i}`));
    const filed = await th.bureau.referrals.createMany.mutate({
      referrals: cases.map((c, i) => ({
        ...referralOf(f, c, 200 + i),
        action: 'identify_subscriber' as const,
        urgency: 'routine' as const,
      })),
    });
    const ids = filed.flatMap((r) => (r.ok ? [r.id] : []));
    expect(ids).toHaveLength(3);
    await f.until(async () => {
      const inbox = await kh.bureau.inbox.list.query({ limit: 1000 });
      return ids.every((id) => inbox.some((r) => r.id === id));
    });
    const [x, y, z] = ids as [string, string, string];
    const outcome = { suspectsIdentified: 3, arrests: 2, premisesSearched: 1, callCentresDismantled: 0 };
    const results = await kh.bureau.inbox.updateStatuses.mutate({
      updates: [
        { referralId: x, state: 'located' },
        { referralId: y, state: 'closed', outcome },
        { referralId: '0190f0c0-0000-7000-8000-000000000000', state: 'located' },
        { referralId: x, state: 'action_taken' },
        { referralId: z, state: 'declined' },
        { referralId: z, state: 'declined', reason: 'ip_not_traceable' },
      ],
    });
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'ok', 'ERR_NOT_FOUND', 'ERR_INPUT', 'ERR_INPUT', 'ok']);
    expect(results[3]).toMatchObject({ ok: false, message: expect.stringContaining('listed twice') });
    const statusIds = results.flatMap((r) => (r.ok ? [r.id] : []));

    // The origin sees each referral's new state; the three statuses reached it in one delivery.
    await f.until(async () => {
      const states = await Promise.all(ids.map(async (id) => (await th.bureau.referrals.get.query({ id })).state));
      return states.join() === 'located,closed,declined';
    });
    expect((await th.bureau.referrals.get.query({ id: y })).outcome).toEqual(outcome);
    for (const peer of ['TH', 'LIAISON']) {
      const rows = await f.until(async () => {
        const rows = await batchesOf(f, 'KH', statusIds, peer);
        return rows.length === 3 && rows.every((r) => r.state === 'delivered') ? rows : null;
      });
      expect(new Set(rows.map((r) => r.receipt?.split(':').slice(0, 3).join(':'))).size).toBe(1);
    }

    // A closed referral stays closed; bad shapes are refused whole with the item's path.
    const again = await kh.bureau.inbox.updateStatuses.mutate({ updates: [{ referralId: y, state: 'located' }] });
    expect(again).toEqual([{ ok: false, code: 'ERR_STATUS_ORDER', message: expect.stringContaining('closed') }]);
    const shape = await refusal(kh.bureau.inbox.updateStatuses.mutate({ updates: [{ referralId: x, state: 'arrested' as 'located' }] }));
    expect(shape).toMatchObject({ status: 400, code: 'ERR_INPUT' });
    expect(shape.message).toContain('updates.0.state');
    const tooMany = Array.from({ length: 501 }, () => ({ referralId: x, state: 'located' as const }));
    expect(await refusal(kh.bureau.inbox.updateStatuses.mutate({ updates: tooMany }))).toMatchObject({ status: 400, code: 'ERR_INPUT' });
  });

  it('answers a retried bulk call (same requestId) from the first call, and files nothing twice', async () => {
    const thNode = f.node('TH');
    const th = f.client(thNode, thOfficer);
    const kh = f.client(f.node('KH'), khOfficer);
    const count = async (table: 'complaints' | 'referrals_out' | 'outbox') =>
      Number(
        (
          await thNode.ctx.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    // An import whose response was lost, sent again (twice at once, too): one set of complaints.
    const requestId = randomUUID();
    const before = await count('complaints');
    const first = await th.bureau.complaints.createMany.mutate({ requestId, complaints: [complaint(10), complaint(11)] });
    const retries = await Promise.all(
      [0, 1, 2].map(() => th.bureau.complaints.createMany.mutate({ requestId, complaints: [complaint(10), complaint(11)] })),
    );
    for (const retry of retries) expect(retry).toEqual(first);
    const racing = randomUUID();
    const raced = await Promise.all(
      [0, 1, 2].map(() => th.bureau.complaints.createMany.mutate({ requestId: racing, complaints: [complaint(12)] })),
    );
    for (const answer of raced) expect(answer).toEqual(raced[0]);
    expect(await count('complaints')).toBe(before + 3);
    // The same requestId for another request is a caller's mistake, refused whole.
    const reused = await refusal(th.bureau.complaints.createMany.mutate({ requestId, complaints: [complaint(13)] }));
    expect(reused).toMatchObject({ status: 409, code: 'ERR_CONFLICT', message: expect.stringContaining(requestId) });
    expect(await count('complaints')).toBe(before + 3);
    const badId = await refusal(th.bureau.complaints.createMany.mutate({ requestId: 'retry-1', complaints: [complaint(14)] }));
    expect(badId).toMatchObject({ status: 400, code: 'ERR_INPUT', message: expect.stringContaining('requestId') });

    // Referrals: the same ids and refusals again, no second signature or outbox row.
    const c = await fileComplaint(f, thNode, thOfficer, 'idempotent referral evidence');
    const referrals = [referralOf(f, c, 300), { ...referralOf(f, c, 301), evidence: ['sha256:'.padEnd(71, '0')] }];
    const referralRequest = randomUUID();
    const [filedBefore, queuedBefore] = [await count('referrals_out'), await count('outbox')];
    const filed = await th.bureau.referrals.createMany.mutate({ requestId: referralRequest, referrals });
    expect(filed.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'ERR_INPUT']);
    expect(await th.bureau.referrals.createMany.mutate({ requestId: referralRequest, referrals })).toEqual(filed);
    expect(await count('referrals_out')).toBe(filedBefore + 1);
    expect(await count('outbox')).toBe(queuedBefore + 2);

    // Statuses: the retry answers the first status's id; the origin gets one status.
    const id = filed[0]?.ok ? filed[0].id : '';
    await f.until(async () => (await kh.bureau.inbox.list.query({ limit: 1000 })).some((r) => r.id === id));
    const statusRequest = randomUUID();
    const moved = await kh.bureau.inbox.updateStatuses.mutate({
      requestId: statusRequest,
      updates: [{ referralId: id, state: 'acknowledged' }],
    });
    expect(moved).toEqual([{ ok: true, id: expect.any(String) }]);
    expect(
      await kh.bureau.inbox.updateStatuses.mutate({ requestId: statusRequest, updates: [{ referralId: id, state: 'acknowledged' }] }),
    ).toEqual(moved);
    const statuses = await f.node('KH').ctx.db.selectFrom('statuses').select('id').where('referral_id', '=', id).execute();
    expect(statuses.map((r) => r.id)).toEqual([moved[0]?.ok ? moved[0].id : '']);
  });

  it("keeps a bureau's case system in step: inbox.since gives each referral once, oldest first, from where it stopped", async () => {
    const thNode = f.node('TH');
    const kh = f.client(f.node('KH'), khOfficer);
    const cases = [];
    for (let i = 0; i < 3; i++) cases.push(await fileComplaint(f, thNode, thOfficer, `since evidence ${i}`));
    const filed = await f
      .client(thNode, thOfficer)
      .bureau.referrals.createMany.mutate({ referrals: cases.map((c, i) => referralOf(f, c, 400 + i)) });
    const ids = filed.map((r) => (r.ok ? r.id : ''));
    await f.until(async () => (await kh.bureau.inbox.list.query({ limit: 1000 })).filter((r) => ids.includes(r.id)).length === 3);
    const inOrder = (await f.node('KH').ctx.db.selectFrom('referrals_in').select('id').orderBy('received_at').orderBy('id').execute()).map(
      (r) => r.id,
    );
    expect(inOrder.length).toBeGreaterThanOrEqual(5);

    // Two at a time (several share a received_at: they came in one delivery), each once, in order.
    const seen: string[] = [];
    let after: { receivedAt: number; id: string } | undefined;
    for (;;) {
      const page = await kh.bureau.inbox.since.query({ ...(after ? { after } : {}), limit: 2 });
      seen.push(...page.items.map((r) => r.id));
      if (page.items.length === 0) {
        expect(page.next).toEqual(after);
        break;
      }
      after = page.next ?? undefined;
    }
    expect(seen).toEqual(inOrder);
    const last = await kh.bureau.inbox.since.query({ after, limit: 2 });
    expect(last).toMatchObject({ items: [], next: after });

    // Nothing new: a call that waits answers empty once its wait is over.
    const started = performance.now();
    expect(await kh.bureau.inbox.since.query({ after, limit: 2, waitMs: 300 })).toMatchObject({ items: [], next: after });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);

    // A newer referral is the next one given, to a call already waiting for it (a long poll).
    const waiting = kh.bureau.inbox.since.query({ after, limit: 10, waitMs: 20_000 });
    const more = await fileComplaint(f, thNode, thOfficer, 'since evidence later');
    const [later] = await f.client(thNode, thOfficer).bureau.referrals.createMany.mutate({ referrals: [referralOf(f, more, 410)] });
    const laterId = later?.ok ? later.id : '';
    const next = await waiting;
    expect(next.items.map((r) => r.id)).toEqual([laterId]);
    expect(next.items[0]).toMatchObject({ id: laterId, from: 'TH', state: 'received' });
    expect(f.node('KH').ctx.arrivals.waiting).toBe(0);

    for (const bad of [
      { after: { receivedAt: -1, id: laterId } },
      { after: { receivedAt: 1, id: 'x' } },
      { limit: 1001 },
      { since: 1 },
      { waitMs: -1 },
      { waitMs: 25_001 },
      { waitMs: 1.5 },
      { waitMs: '100' },
    ])
      expect(await refusal(kh.bureau.inbox.since.query(bad as never))).toMatchObject({ status: 400, code: 'ERR_INPUT' });
  });
});
