import { type Status, uuidv7 } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nationalApplier } from '../src/inbox/national-applier.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';

/**
 * Statuses are applied a batch at a time (one delivery's run of statuses), with the result of applying
 * them one after another: a referral shows its recipient's latest status by iat; of two with the same
 * iat the later arrival; an older status arriving late is kept in the history but shown nowhere.
 */
describe('statuses applied as a batch at the origin', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH', 'VN'] });
  });
  afterAll(() => f.close());

  it('shows the latest by iat, the later arrival on a tie, and never a forged or older one', async () => {
    const th = f.node('TH');
    const officer = await f.token(th, 'officer');
    const a = await refer(f, th, officer, 'KH', { offset: 1 });
    const b = await refer(f, th, officer, 'KH', { offset: 2 });
    const t = Math.floor(Date.now() / 1000);
    const status = (referral: string, state: Status['state'], iat: number, from = 'KH'): { message: Status; jws: string } => ({
      message: { v: 1, id: uuidv7(), from, to: 'TH', iat, referral, state },
      jws: `test.${referral}.${state}`,
    });
    const state = async (id: string) =>
      (await th.ctx.db.selectFrom('referrals_out').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

    await th.ctx.db
      .transaction()
      .execute((trx) =>
        nationalApplier.status.apply(
          trx,
          [
            status(a.id, 'located', t + 2),
            status(b.id, 'acknowledged', t),
            status(a.id, 'in_progress', t + 1),
            status(a.id, 'action_taken', t + 2),
            status(b.id, 'closed', t + 5, 'VN'),
          ],
          Date.now(),
        ),
      );
    expect(await state(a.id)).toBe('action_taken');
    expect(await state(b.id)).toBe('acknowledged');

    // A later batch with an older status changes nothing shown; a newer one does.
    await th.ctx.db.transaction().execute((trx) => nationalApplier.status.apply(trx, [status(a.id, 'acknowledged', t)], Date.now()));
    expect(await state(a.id)).toBe('action_taken');
    await th.ctx.db.transaction().execute((trx) => nationalApplier.status.apply(trx, [status(b.id, 'located', t + 3)], Date.now()));
    expect(await state(b.id)).toBe('located');

    // Every status of the recipient is kept as history; the forged one from VN is not.
    const kept = await th.ctx.db.selectFrom('statuses').select(['referral_id', 'state']).where('direction', '=', 'in').execute();
    expect(kept.filter((s) => s.referral_id === a.id).map((s) => s.state)).toEqual(
      expect.arrayContaining(['located', 'in_progress', 'action_taken', 'acknowledged']),
    );
    expect(kept.some((s) => s.state === 'closed')).toBe(false);
  });
});
