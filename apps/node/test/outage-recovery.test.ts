/**
 * Recovery after an outage (issue #17, defect 6): a peer's backlog goes as soon as the peer is back,
 * not when each row's own backoff (up to retry.maxMs, 5 minutes) runs out; an admin can say "retry
 * now" for one message or a whole peer; and a message is dead-lettered at its deadline, not one
 * backoff interval after it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';
import { movableClock } from './helpers/refusal.js';

const BACKLOG = 12;
/** The production backoff: rows back off up to five minutes each. */
const REAL_RETRY = { baseMs: 500, maxMs: 5 * 60_000 };

describe('recovery after an outage', () => {
  let f: TestFederation | null = null;
  afterEach(async () => {
    await f?.close();
    f = null;
  });

  /** Files `n` referrals from TH to VN while VN is down; returns once every row has failed and backs off. */
  async function backlogWhileDown(fed: TestFederation, n: number, peer = 'VN') {
    const th = fed.node('TH');
    const officer = await fed.token(th, 'officer');
    await fed.node(peer).stop();
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await refer(fed, th, officer, peer, { offset: i })).id);
    await fed.until(async () => {
      const rows = await th.ctx.db.selectFrom('outbox').select(['attempts']).where('peer', '=', peer).execute();
      return rows.length === n && rows.every((r) => r.attempts >= 1);
    });
    // As after a two-minute outage: every row has backed off to minutes ahead.
    const now = th.ctx.clock.now();
    await th.ctx.db
      .updateTable('outbox')
      .set({ next_attempt_at: now + REAL_RETRY.maxMs })
      .where('peer', '=', peer)
      .execute();
    return ids;
  }

  const undelivered = async (fed: TestFederation, peer = 'VN') =>
    (await fed.node('TH').ctx.db.selectFrom('outbox').select('id').where('peer', '=', peer).where('state', '!=', 'delivered').execute())
      .length;

  it('delivers the whole backlog within 5 s of the peer coming back, though every row backed off for minutes', async () => {
    f = await createTestFederation({ countries: ['TH', 'VN'], override: { retry: { ...REAL_RETRY, probeMs: 2000 } } });
    const fed = f;
    const ids = await backlogWhileDown(fed, BACKLOG);
    expect(await undelivered(fed)).toBe(BACKLOG);

    const vn = await fed.restart('VN');
    const back = Date.now();
    await fed.until(async () => (await undelivered(fed)) === 0, 20_000);
    const recoveredMs = Date.now() - back;
    expect(recoveredMs).toBeLessThan(5000);
    const officer = await fed.token(vn, 'officer');
    const inbox = await fed.client(vn, officer).bureau.inbox.list.query();
    for (const id of ids) expect(inbox.filter((r) => r.id === id)).toHaveLength(1);
  });

  it('lets an admin retry a queued message, or a whole peer, now (the probe set far off)', async () => {
    f = await createTestFederation({
      countries: ['TH', 'VN', 'KH'],
      override: { retry: { ...REAL_RETRY, probeMs: 60_000 } },
    });
    const fed = f;
    // (restart() publishes and waits for every node it knows, so one peer is down at a time)
    await backlogWhileDown(fed, 3, 'VN');
    await fed.restart('VN');
    await backlogWhileDown(fed, 3, 'KH');
    await fed.restart('KH');
    const th = fed.node('TH');
    const admin = await fed.token(th, 'admin');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await undelivered(fed, 'VN')).toBe(3);
    expect(await undelivered(fed, 'KH')).toBe(3);

    // One queued message now (before: ERR_NOT_FOUND, only dead or rejected ones could be retried);
    // its acceptance is a sign of life that brings the rest of VN's queue with it.
    const first = await th.ctx.db.selectFrom('outbox').select('id').where('peer', '=', 'VN').orderBy('id').executeTakeFirstOrThrow();
    expect(await fed.client(th, admin).bureau.outbox.retry.mutate({ id: first.id })).toEqual({ requeued: true, due: 1 });
    await fed.until(async () => (await undelivered(fed, 'VN')) === 0, 5000);

    expect(await fed.client(th, admin).bureau.outbox.retry.mutate({ peer: 'KH' })).toEqual({ requeued: true, due: 3 });
    await fed.until(async () => (await undelivered(fed, 'KH')) === 0, 5000);
  });

  it('makes the last attempt at the dead-letter deadline, not one backoff interval after it', async () => {
    const clock = movableClock();
    const deadAfter = 3600;
    f = await createTestFederation({
      countries: ['TH', 'VN'],
      clocks: { TH: clock },
      override: { deadLetterAfterSeconds: deadAfter, retry: { ...REAL_RETRY, probeMs: 60_000 } },
    });
    const fed = f;
    const th = fed.node('TH');
    await fed.node('VN').stop();
    await refer(fed, th, await fed.token(th, 'officer'), 'VN');
    const row = async () =>
      th.ctx.db
        .selectFrom('outbox')
        .select(['attempts', 'state', 'next_attempt_at', 'created_at'])
        .where('peer', '=', 'VN')
        .executeTakeFirstOrThrow();
    const created = Number((await fed.until(async () => ((await row()).attempts >= 1 ? row() : null))).created_at);
    const deadline = created + deadAfter * 1000;

    // Ten seconds before the deadline, a failed attempt is rescheduled at the deadline at the latest.
    clock.advance(deadline - 10_000 - clock.now());
    // (as after an hour of failures: the next backoff would be minutes, past the deadline)
    await th.ctx.db.updateTable('outbox').set({ next_attempt_at: clock.now(), attempts: 20 }).where('peer', '=', 'VN').execute();
    const before = (await row()).attempts;
    const late = await fed.until(async () => {
      const r = await row();
      return r.attempts > before ? r : null;
    });
    expect(late.state).toBe('queued');
    expect(Number(late.next_attempt_at)).toBeLessThanOrEqual(deadline);

    // At the deadline the attempt that fails dead-letters it.
    clock.advance(deadline - clock.now());
    await fed.until(async () => (await row()).state === 'dead');
  });
});
