/**
 * `audit verify --deep` (issue #17, defect 8): the audit chain covers entries, not stored messages, so
 * an edited stored row passes `audit verify`; the deep check re-derives every stored signed message
 * from its bytes and names the row that does not match. It also reports a sender whose envelope was
 * accepted on a seal though its own signature does not hold (PROTOCOL.md §2.3.2).
 */
import { join } from 'node:path';
import { sealDelivery, sha256Digest } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../src/audit/audit-log.js';
import { deepCheck } from '../src/audit/deep-check.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { ipIn, refer, signReferral } from '../src/testing/fixtures.js';
import { runCli } from '../src/testing/run-cli.js';

describe('audit verify --deep', () => {
  let f: TestFederation;
  let referralId = '';
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'VN'] });
    const th = f.node('TH');
    const vn = f.node('VN');
    referralId = (await refer(f, th, await f.token(th, 'officer'), 'VN')).id;
    const vnOfficer = await f.token(vn, 'officer');
    await f.until(async () => (await f.client(vn, vnOfficer).bureau.inbox.list.query()).some((r) => r.id === referralId));
    await f.client(vn, vnOfficer).bureau.inbox.updateStatus.mutate({
      referralId,
      state: 'action_taken',
      outcome: { suspectsIdentified: 5, arrests: 4, premisesSearched: 1, callCentresDismantled: 1 },
    });
    // Every copy delivered: TH holds the status, the liaison office the referral and the status.
    await f.until(
      async () =>
        (await f.liaison.ctx.db.selectFrom('liaison_statuses').select('id').where('referral_id', '=', referralId).execute()).length === 1,
    );
    await f.until(
      async () => (await th.ctx.db.selectFrom('statuses').select('id').where('referral_id', '=', referralId).execute()).length === 1,
    );
  });
  afterAll(() => f.close());

  it('finds every stored message intact on every node of an honest exchange', async () => {
    for (const node of [f.node('TH'), f.node('VN'), f.liaison]) {
      const report = await deepCheck(node.ctx);
      expect(report, node.ctx.config.party).toMatchObject({ ok: true, problems: [], sealViolations: [], unverifiable: 0 });
      expect(report.checked).toBeGreaterThanOrEqual(2);
    }
  });

  it("names the liaison office's kept figures where they differ from the statuses and referrals held", async () => {
    const db = f.liaison.ctx.db;
    const sum = () => db.selectFrom('liaison_figures').selectAll().where('figure', '=', 'arrests').where('country', '=', 'VN');
    const arrests = await sum().executeTakeFirstOrThrow();
    expect(Number(arrests.n)).toBe(4);
    await db.updateTable('liaison_figures').set({ n: 14 }).where('figure', '=', 'arrests').where('country', '=', 'VN').execute();
    await db.updateTable('liaison_referrals').set({ arrests: 9 }).where('id', '=', referralId).execute();
    const report = await deepCheck(f.liaison.ctx);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { row: `liaison_referrals:${referralId}`, problem: 'arrests is 9 but the statuses held for it make it 4' },
      { row: `liaison_figures:${arrests.operation}/VN/arrests/`, problem: 'n is 14 but the signed statuses and referrals held make it 4' },
    ]);
    await db.updateTable('liaison_figures').set({ n: 4 }).where('figure', '=', 'arrests').where('country', '=', 'VN').execute();
    await db.updateTable('liaison_referrals').set({ arrests: 4 }).where('id', '=', referralId).execute();
    expect(await deepCheck(f.liaison.ctx)).toMatchObject({ ok: true, problems: [] });
  });

  it('names an edited inbox row that the audit chain cannot see, and the CLI exits 1', async () => {
    const vn = f.node('VN');
    await vn.ctx.db.updateTable('referrals_in').set({ ip: '8.8.8.8' }).where('id', '=', referralId).execute();
    expect(await verifyAudit(vn.ctx.db)).toMatchObject({ ok: true });
    const report = await deepCheck(vn.ctx);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual({
      row: `referrals_in:${referralId}`,
      problem: expect.stringMatching(/^ip is "8\.8\.8\.8" but its signed message says "/),
    });

    const cli = await runCli(['audit', 'verify', '--deep', '--data', join(f.root, 'VN')]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('audit chain intact');
    expect(cli.stdout).toContain(`referrals_in:${referralId}: ip is "8.8.8.8"`);
  });

  it('names edited statuses at the liaison office and at the origin, and edited bytes by their digest', async () => {
    await f.liaison.ctx.db.updateTable('liaison_statuses').set({ arrests: 40 }).where('referral_id', '=', referralId).execute();
    const lo = await deepCheck(f.liaison.ctx);
    expect(lo.problems.map((p) => p.problem)).toContainEqual('arrests is 40 but its signed message says 4');

    const th = f.node('TH');
    await th.ctx.db.updateTable('statuses').set({ state: 'declined' }).where('referral_id', '=', referralId).execute();
    await th.ctx.db.updateTable('referrals_out').set({ urgency: 'routine' }).where('id', '=', referralId).execute();
    const status = await th.ctx.db
      .selectFrom('statuses')
      .select(['id', 'jws'])
      .where('referral_id', '=', referralId)
      .executeTakeFirstOrThrow();
    await th.ctx.db
      .updateTable('received')
      .set({ jws: `${status.jws.slice(0, -4)}AAAA` })
      .where('message_id', '=', status.id)
      .execute();
    const origin = await deepCheck(th.ctx);
    expect(origin.problems).toEqual(
      expect.arrayContaining([
        { row: `statuses:${status.id}`, problem: 'state is "declined" but its signed message says "action_taken"' },
        { row: `referrals_out:${referralId}`, problem: 'urgency is "routine" but its signed message says "urgent"' },
        { row: `received:${status.id}`, problem: 'digest does not match its stored bytes' },
        { row: `statuses:${status.id}`, problem: 'its bytes are not the bytes received with its id' },
      ]),
    );
  });

  it("reports a sender's envelope accepted on a seal whose own signature does not hold", async () => {
    const th = f.node('TH');
    const nowS = Math.floor(Date.now() / 1000);
    const key = th.ctx.keys.signingKey(nowS);
    const sent = await Promise.all([0, 1].map((i) => signReferral(key, { from: 'TH', to: 'VN', iat: nowS, ip: ipIn(f, 'VN', 100 + i) })));
    // The second envelope's own signature is 64 zero bytes; the seal over both is valid.
    const zeroed = `${(sent[1] as string).slice(0, (sent[1] as string).lastIndexOf('.') + 1)}${Buffer.alloc(64).toString('base64url')}`;
    const envelopes = [sent[0] as string, zeroed];
    const seal = sealDelivery(envelopes.map(sha256Digest), { from: 'TH', to: 'VN', nowMs: Date.now(), key });
    const res = await fetch(`${f.node('VN').url}/trpc/federation.deliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ envelopes, answer: 'each', seal }),
    });
    expect(res.status).toBe(200);
    const id = JSON.parse(Buffer.from(zeroed.split('.')[1] ?? '', 'base64url').toString()).id as string;
    const report = await deepCheck(f.node('VN').ctx);
    expect(report.sealViolations).toEqual([{ message: id, from: 'TH', seal: sha256Digest(seal) }]);
  });
});
