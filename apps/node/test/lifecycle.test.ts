import { type Status, signMessage, uuidv7 } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keystore } from '../src/keys/keystore.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';
import { testsUsePostgres } from '../src/testing/scratch-db.js';

describe('a referral between two countries', () => {
  let f: TestFederation;
  beforeAll(async () => {
    // VN is a third member: it never takes part in the TH → KH referrals below.
    f = await createTestFederation({ countries: ['TH', 'KH', 'VN'] });
  });
  afterAll(() => f.close());

  it('is routed, delivered, verified, stored, receipted, and its status comes back', async () => {
    const th = f.node('TH');
    const kh = f.node('KH');
    // FIRSTLIGHT_TEST_DATABASE=postgres runs this whole suite on a real PostgreSQL server.
    expect(th.ctx.dbKind).toBe(testsUsePostgres() ? 'postgres' : 'sqlite');
    const thOfficer = await f.token(th, 'officer');
    const khOfficer = await f.token(kh, 'officer');
    const sent = await refer(f, th, thOfficer, 'KH');
    expect(sent.to).toBe('KH');

    const khClient = f.client(kh, khOfficer);
    const incoming = await f.until(async () => (await khClient.bureau.inbox.list.query()).find((r) => r.id === sent.id));
    expect(incoming.from).toBe('TH');
    expect(incoming.deadlineAt - incoming.receivedAt).toBe(3 * 24 * 3600_000);

    const thClient = f.client(th, thOfficer);
    const delivered = await f.until(async () => {
      const r = await thClient.bureau.referrals.get.query({ id: sent.id });
      return r.delivery.length === 2 && r.delivery.every((d) => d.state === 'delivered') ? r : null;
    });
    expect(delivered.delivery.map((d) => d.peer).sort()).toEqual(['KH', 'LIAISON']);

    await khClient.bureau.inbox.updateStatus.mutate({ referralId: sent.id, state: 'located' });
    await khClient.bureau.inbox.updateStatus.mutate({
      referralId: sent.id,
      state: 'action_taken',
      outcome: { suspectsIdentified: 12, arrests: 9, premisesSearched: 1, callCentresDismantled: 1 },
    });
    const back = await f.until(async () => {
      const r = await thClient.bureau.referrals.get.query({ id: sent.id });
      return r.state === 'action_taken' ? r : null;
    });
    expect(back.outcome).toEqual({ suspectsIdentified: 12, arrests: 9, premisesSearched: 1, callCentresDismantled: 1 });
    expect(back.statuses.map((s) => s.state)).toEqual(['located', 'action_taken']);

    // The work queue holds it until it is closed.
    expect((await khClient.bureau.inbox.list.query({ open: true })).map((r) => r.id)).toContain(sent.id);
    await khClient.bureau.inbox.updateStatus.mutate({
      referralId: sent.id,
      state: 'closed',
      outcome: { suspectsIdentified: 12, arrests: 9, premisesSearched: 1, callCentresDismantled: 1 },
    });
    expect((await khClient.bureau.inbox.list.query({ open: true })).map((r) => r.id)).not.toContain(sent.id);
    expect((await khClient.bureau.inbox.list.query({})).map((r) => r.id)).toContain(sent.id);
  });

  it('takes a status only from the country the referral was sent to, about a referral it sent', async () => {
    const th = f.node('TH');
    const kh = f.node('KH');
    const thOfficer = await f.token(th, 'officer');
    const khOfficer = await f.token(kh, 'officer');
    const analyst = await f.token(f.liaison, 'analyst');
    const sent = await refer(f, th, thOfficer, 'KH', { offset: 7 });
    const khClient = f.client(kh, khOfficer);
    await f.until(async () => (await khClient.bureau.inbox.list.query()).some((r) => r.id === sent.id));
    await khClient.bureau.inbox.updateStatus.mutate({ referralId: sent.id, state: 'located' });
    const thClient = f.client(th, thOfficer);
    await f.until(async () => (await thClient.bureau.referrals.get.query({ id: sent.id })).state === 'located');
    const lo = f.client(f.liaison, analyst);
    // Every status so far has reached the liaison office (three from the test above, and this one).
    const before = await f.until(async () => {
      const o = await lo.liaison.overview.query({});
      return o.headline.statuses === 4 ? o.headline : null;
    });

    // Forge with real member keys: signatures hold, authority does not.
    const now = Math.floor(Date.now() / 1000);
    const forge = (signer: string, referral: string) => {
      const status: Status = {
        v: 1,
        id: uuidv7(),
        from: signer,
        to: 'TH',
        iat: now,
        referral,
        state: 'closed',
        outcome: { suspectsIdentified: 100_000, arrests: 100_000, premisesSearched: 100_000, callCentresDismantled: 100_000 },
      };
      return signMessage('status', status, Keystore.open(f.node(signer).ctx.dataDir).signingKey(now));
    };
    const inventedId = uuidv7();
    const thirdCountry = await forge('VN', sent.id);
    const invented = await forge('KH', inventedId);
    const deliver = async (node: { url: string }, envelopes: string[]) => {
      const res = await fetch(`${node.url}/trpc/federation.deliver`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ envelopes }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { result: { data: { receipts: string[] } } }).result.data.receipts;
    };
    // The origin answers both with a signed rejection (the liaison office stores every copy).
    const verdicts = (await deliver(th, [thirdCountry, invented])).map((r) => {
      const receipt = JSON.parse(Buffer.from(r.split('.')[1] ?? '', 'base64url').toString('utf8')) as { verdict: string; code?: string };
      return [receipt.verdict, receipt.code];
    });
    expect(verdicts).toEqual([
      ['rejected', 'ERR_WRONG_RECIPIENT'],
      ['rejected', 'ERR_WRONG_RECIPIENT'],
    ]);
    expect(await deliver(f.liaison, [thirdCountry, invented])).toHaveLength(2);

    // The origin applies neither: the referral keeps KH's word, and neither is stored as a status.
    const mine = await thClient.bureau.referrals.get.query({ id: sent.id });
    expect(mine.state).toBe('located');
    expect(mine.outcome).toBeNull();
    expect(mine.statuses.map((s) => [s.from, s.state])).toEqual([['KH', 'located']]);
    const stored = await th.ctx.db
      .selectFrom('statuses')
      .select(['from_country', 'referral_id'])
      .where('direction', '=', 'in')
      .where((eb) => eb.or([eb('from_country', '=', 'VN'), eb('referral_id', '=', inventedId)]))
      .execute();
    expect(stored).toEqual([]);
    // KH's later word still applies.
    await khClient.bureau.inbox.updateStatus.mutate({
      referralId: sent.id,
      state: 'action_taken',
      outcome: { suspectsIdentified: 2, arrests: 1, premisesSearched: 1, callCentresDismantled: 0 },
    });
    const applied = await f.until(async () => {
      const r = await thClient.bureau.referrals.get.query({ id: sent.id });
      return r.state === 'action_taken' ? r : null;
    });
    expect(applied.outcome).toEqual({ suspectsIdentified: 2, arrests: 1, premisesSearched: 1, callCentresDismantled: 0 });

    // Nor does the liaison office count the forgeries: only KH's statuses move its figures.
    await f.until(async () => (await lo.liaison.referrals.query({ state: 'action_taken' })).items.some((r) => r.id === sent.id));
    const after = (await lo.liaison.overview.query({})).headline;
    expect(after).toEqual({
      ...before,
      statuses: before.statuses + 1,
      suspectsIdentified: before.suspectsIdentified + 2,
      arrests: before.arrests + 1,
      premisesSearched: before.premisesSearched + 1,
    });
  });
});
