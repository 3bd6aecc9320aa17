import { sha256Digest } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestFederation, OPERATION, type TestFederation } from '../src/testing/federation.js';
import { fileComplaint, ipIn } from '../src/testing/fixtures.js';
import { refusal } from './helpers/refusal.js';

describe('routing rules for referrals', () => {
  let f: TestFederation;
  let officer: string;
  let auditor: string;
  let complaint: { complaintId: string; digest: string };
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH', 'VN'] });
    officer = await f.token(f.node('TH'), 'officer');
    auditor = await f.token(f.node('TH'), 'auditor');
    complaint = await fileComplaint(f, f.node('TH'), officer);
  });
  afterAll(() => f.close());

  const base = () => ({
    complaintId: complaint.complaintId,
    seenAt: '2015-06-01T10:00:00Z',
    evidence: [complaint.digest],
    action: 'locate' as const,
    urgency: 'urgent' as const,
    operation: OPERATION,
  });
  /** What a referral writes: its row, its outbox rows, its sent.referral audit entry (receipts arrive on their own). */
  const counts = async () => {
    const db = f.node('TH').ctx.db;
    const n = (row: { n: number | string | bigint }) => Number(row.n);
    const referrals = n(
      await db
        .selectFrom('referrals_out')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    const outbox = n(
      await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    const audit = n(
      await db
        .selectFrom('audit')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', '=', 'sent.referral')
        .executeTakeFirstOrThrow(),
    );
    return { referrals, outbox, audit };
  };

  it('refuses an IP of the filing country itself as a domestic case, and stores and sends nothing', async () => {
    const th = f.client(f.node('TH'), officer);
    const domestic = ipIn(f, 'TH');
    expect(await th.bureau.referrals.route.query({ ip: domestic })).toMatchObject({ ok: false, code: 'ERR_IP_DOMESTIC' });
    const before = await counts();
    const refused = await refusal(th.bureau.referrals.create.mutate({ ...base(), ip: domestic }));
    expect(refused).toMatchObject({ status: 400, code: 'ERR_IP_DOMESTIC' });
    expect(refused.message).toContain('domestic case');
    expect(refused.message).toContain(domestic);
    expect(await counts()).toEqual(before);
    // The route preview of a foreign IP still names its country.
    expect(await th.bureau.referrals.route.query({ ip: ipIn(f, 'KH') })).toMatchObject({ ok: true, country: 'KH' });
  });

  it('sends to the override country with a reason, records routed country, reason and officer, and audits the message sent', async () => {
    const th = f.client(f.node('TH'), officer);
    const ip = ipIn(f, 'VN', 5);
    const reason = 'VPN exit node: the call centre is known to be in KH';
    const created = await th.bureau.referrals.create.mutate({ ...base(), ip, overrideCountry: 'KH', overrideReason: reason });
    expect(created.to).toBe('KH');

    const stored = await f.client(f.node('TH'), auditor).bureau.referrals.get.query({ id: created.id });
    expect(stored).toMatchObject({ to: 'KH', routedCountry: 'VN', overrideReason: reason, createdBy: 'test-officer', ip });
    const payload = JSON.parse(Buffer.from(stored.jws.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ to: 'KH', ip, from: 'TH' });
    // The reason is the bureau's own note: it never travels in the signed referral.
    expect(JSON.stringify(payload)).not.toContain('VPN');

    const audit = await f.client(f.node('TH'), auditor).bureau.audit.export.query();
    expect(audit.find((e) => e.ref === `${created.id}@KH`)).toMatchObject({ kind: 'sent.referral', digest: sha256Digest(stored.jws) });
    expect(audit.some((e) => e.ref === `${created.id}@VN`)).toBe(false);
    expect(await f.client(f.node('TH'), auditor).bureau.audit.verify.query()).toMatchObject({ ok: true });

    // KH receives it; VN, the routed country, never does.
    const kh = f.client(f.node('KH'), await f.token(f.node('KH'), 'officer'));
    await f.until(async () => (await kh.bureau.inbox.list.query()).some((r) => r.id === created.id));
    const vn = f.client(f.node('VN'), await f.token(f.node('VN'), 'officer'));
    expect((await vn.bureau.inbox.list.query()).some((r) => r.id === created.id)).toBe(false);
  });

  it('lets an officer send a domestic-looking IP abroad with a reason (routing said TH, the case is elsewhere)', async () => {
    const th = f.client(f.node('TH'), officer);
    const ip = ipIn(f, 'TH', 7);
    const created = await th.bureau.referrals.create.mutate({
      ...base(),
      ip,
      overrideCountry: 'KH',
      overrideReason: 'roaming SIM registered in KH',
    });
    const stored = await f.client(f.node('TH'), auditor).bureau.referrals.get.query({ id: created.id });
    expect(stored).toMatchObject({ to: 'KH', ip, overrideReason: 'roaming SIM registered in KH' });
    // The preview gives the canonical form of what the officer typed, with the refusal.
    expect(await th.bureau.referrals.route.query({ ip: `  ${ip} ` })).toMatchObject({ ok: false, code: 'ERR_IP_DOMESTIC', ip });
  });

  // An override of a domestic or unlisted IP signs the canonical text, not what the officer typed.
  it('sends an overridden domestic IP in canonical form even when typed with spaces around it', async () => {
    const th = f.client(f.node('TH'), officer);
    const ip = ipIn(f, 'TH', 8);
    const padded = await th.bureau.referrals.create.mutate({
      ...base(),
      ip: `  ${ip} `,
      overrideCountry: 'KH',
      overrideReason: 'roaming SIM registered in KH',
    });
    expect((await f.client(f.node('TH'), auditor).bureau.referrals.get.query({ id: padded.id })).ip).toBe(ip);
  });

  it('refuses an override without a reason, a reason without an override, and a blank or too short reason', async () => {
    const th = f.client(f.node('TH'), officer);
    const ip = ipIn(f, 'VN', 9);
    const before = await counts();
    for (const extra of [
      { overrideCountry: 'KH' },
      { overrideReason: 'the call centre is in KH' },
      { overrideCountry: 'KH', overrideReason: '      ' },
      { overrideCountry: 'KH', overrideReason: ' kh ' },
    ]) {
      const refused = await refusal(th.bureau.referrals.create.mutate({ ...base(), ip, ...extra }));
      expect(refused, JSON.stringify(extra)).toMatchObject({ status: 400, code: 'ERR_INPUT' });
      expect(refused.message).toMatch(/overrideReason/);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses an override to the own country, to a non-member, or of an address that cannot be traced', async () => {
    const th = f.client(f.node('TH'), officer);
    const before = await counts();
    const reason = 'officer knows better than the data set';
    expect(
      await refusal(th.bureau.referrals.create.mutate({ ...base(), ip: ipIn(f, 'KH', 11), overrideCountry: 'TH', overrideReason: reason })),
    ).toMatchObject({ status: 400, code: 'ERR_IP_DOMESTIC' });
    expect(
      await refusal(th.bureau.referrals.create.mutate({ ...base(), ip: ipIn(f, 'KH', 12), overrideCountry: 'FR', overrideReason: reason })),
    ).toMatchObject({ status: 400, code: 'ERR_NOT_A_MEMBER' });
    for (const ip of ['10.1.2.3', '100.64.0.1', '192.168.1.1']) {
      const refused = await refusal(th.bureau.referrals.create.mutate({ ...base(), ip, overrideCountry: 'KH', overrideReason: reason }));
      expect(refused, ip).toMatchObject({ status: 400, code: 'ERR_IP_UNROUTABLE' });
    }
    expect(
      await refusal(th.bureau.referrals.create.mutate({ ...base(), ip: 'not-an-ip', overrideCountry: 'KH', overrideReason: reason })),
    ).toMatchObject({
      status: 400,
      code: 'ERR_IP_INVALID',
    });
    expect(await counts()).toEqual(before);
  });

  it('does not let an auditor create a referral, with or without an override', async () => {
    const refused = await refusal(
      f.client(f.node('TH'), auditor).bureau.referrals.create.mutate({
        ...base(),
        ip: ipIn(f, 'VN', 13),
        overrideCountry: 'KH',
        overrideReason: 'the call centre is in KH',
      }),
    );
    expect(refused).toMatchObject({ status: 403, code: 'ERR_FORBIDDEN' });
  });
});
