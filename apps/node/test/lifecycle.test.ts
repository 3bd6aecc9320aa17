import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';
import { testsUsePostgres } from '../src/testing/scratch-db.js';

describe('a referral between two countries', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'] });
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
});
