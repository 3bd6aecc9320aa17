import { uuidv7 } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../src/outbox/outbox.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { ipIn, keepAsSent, refer, signReferral } from '../src/testing/fixtures.js';
import { movableClock, refusal } from './helpers/refusal.js';

const DEAD_AFTER_SECONDS = 3600;

describe('dead letters in the outbox', () => {
  let f: TestFederation;
  const thClock = movableClock();
  const tokens = { officer: '', admin: '', auditor: '' };
  beforeAll(async () => {
    f = await createTestFederation({
      countries: ['TH', 'VN'],
      clocks: { TH: thClock },
      override: { deadLetterAfterSeconds: DEAD_AFTER_SECONDS },
    });
    for (const role of ['officer', 'admin', 'auditor'] as const) tokens[role] = await f.token(f.node('TH'), role);
  });
  afterAll(() => f.close());

  const deliveryTo = async (id: string, peer: string) => {
    const got = await f.client(f.node('TH'), tokens.auditor).bureau.referrals.get.query({ id });
    const d = got.delivery.find((x) => x.peer === peer);
    if (!d) throw new Error(`no delivery of ${id} to ${peer}`);
    return d as { outboxId: number; state: string; attempts: number; lastError: string | null; receipt: string | null };
  };
  const settle = () => new Promise((r) => setTimeout(r, 600));

  it('keeps retrying a dead peer until deadLetterAfterSeconds, then dead-letters; an admin retry delivers it once the peer is back', async () => {
    const th = f.node('TH');
    await f.node('VN').stop();
    const sent = await refer(f, th, tokens.officer, 'VN');
    await f.until(async () => (await deliveryTo(sent.id, 'VN')).state === 'retrying');

    // Half the dead-letter time later it is still retried, not given up.
    thClock.advance((DEAD_AFTER_SECONDS / 2) * 1000);
    const before = (await deliveryTo(sent.id, 'VN')).attempts;
    const halfway = await f.until(async () => {
      const d = await deliveryTo(sent.id, 'VN');
      return d.attempts > before ? d : null;
    });
    expect(halfway.state).toBe('retrying');
    expect(halfway.lastError).toMatch(/unreachable/);

    // Past the dead-letter time the next failure dead-letters it, and the worker stops trying.
    thClock.advance((DEAD_AFTER_SECONDS / 2) * 1000 + 1000);
    const dead = await f.until(async () => {
      const d = await deliveryTo(sent.id, 'VN');
      return d.state === 'dead' ? d : null;
    });
    thClock.advance(60_000);
    await settle();
    expect((await deliveryTo(sent.id, 'VN')).attempts).toBe(dead.attempts);
    // A dead letter no longer counts as waiting: the depth toward VN reads 0, not the last queued count.
    expect(await f.client(th, tokens.auditor).bureau.outbox.depth.query()).toContainEqual({ peer: 'VN', depth: 0 });
    // The dead peer never held up the liaison office's copy.
    expect((await deliveryTo(sent.id, 'LIAISON')).state).toBe('delivered');

    const problems = await f.client(th, tokens.auditor).bureau.outbox.problems.query();
    const listed = problems.find((p) => p.id === dead.outboxId);
    expect(listed).toMatchObject({ message_id: sent.id, peer: 'VN', state: 'dead', kind: 'referral' });
    expect(listed?.last_error).toMatch(/unreachable/);

    // The peer coming back does not resurrect a dead letter by itself.
    const vn = await f.restart('VN');
    const vnOfficer = await f.token(vn, 'officer');
    await settle();
    expect((await deliveryTo(sent.id, 'VN')).state).toBe('dead');
    expect((await f.client(vn, vnOfficer).bureau.inbox.list.query()).some((r) => r.id === sent.id)).toBe(false);

    // Only an admin may requeue it.
    for (const role of ['officer', 'auditor'] as const) {
      const refused = await refusal(f.client(th, tokens[role]).bureau.outbox.retry.mutate({ id: dead.outboxId }));
      expect(refused, role).toMatchObject({ status: 403, code: 'ERR_FORBIDDEN' });
    }
    expect(await refusal(f.client(th).bureau.outbox.retry.mutate({ id: dead.outboxId }))).toMatchObject({
      status: 401,
      code: 'ERR_UNAUTHORIZED',
    });
    expect((await deliveryTo(sent.id, 'VN')).state).toBe('dead');

    expect(await f.client(th, tokens.admin).bureau.outbox.retry.mutate({ id: dead.outboxId })).toEqual({ requeued: true, due: 1 });
    const delivered = await f.until(async () => {
      const d = await deliveryTo(sent.id, 'VN');
      return d.state === 'delivered' ? d : null;
    });
    expect(delivered.receipt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const inbox = await f.client(vn, vnOfficer).bureau.inbox.list.query();
    expect(inbox.filter((r) => r.id === sent.id)).toHaveLength(1);
    expect((await f.client(th, tokens.auditor).bureau.outbox.problems.query()).some((p) => p.id === dead.outboxId)).toBe(false);

    // A delivered message is not a dead letter: retrying it again is refused with a stable code.
    expect(await refusal(f.client(th, tokens.admin).bureau.outbox.retry.mutate({ id: dead.outboxId }))).toMatchObject({
      status: 404,
      code: 'ERR_NOT_FOUND',
    });
    expect(await refusal(f.client(th, tokens.admin).bureau.outbox.retry.mutate({ id: 987_654 }))).toMatchObject({
      status: 404,
      code: 'ERR_NOT_FOUND',
    });
  });

  it('stops at a permanent rejection (no retries), lists it as a problem, and a retry sends the same bytes again', async () => {
    thClock.reset();
    const th = f.node('TH');
    const now = Date.now();
    const iat = Math.floor(now / 1000);
    // Signed by TH but addressed to KH, kept as sent and queued for VN: VN must refuse it, and no later attempt can change that.
    const jws = await signReferral(th.ctx.keys.signingKey(iat), { id: uuidv7(now), from: 'TH', to: 'KH', iat, ip: ipIn(f, 'VN') });
    const messageId = (await keepAsSent(th.ctx, jws)).id;
    await enqueue(th.ctx.db, { id: messageId, kind: 'referral', peers: ['VN'], now });
    th.ctx.wakeOutbox();

    const rowOf = () => th.ctx.db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).executeTakeFirstOrThrow();
    const rejected = await f.until(async () => {
      const row = await rowOf();
      return row.state === 'rejected' ? row : null;
    });
    expect(rejected.receipt_code).toBe('ERR_WRONG_RECIPIENT');
    expect(rejected.attempts).toBe(1);
    expect(rejected.receipt).toBeTruthy();
    thClock.advance(600_000);
    await settle();
    expect(await rowOf()).toMatchObject({ state: 'rejected', attempts: 1 });

    const problems = await f.client(th, tokens.admin).bureau.outbox.problems.query();
    expect(problems.find((p) => p.id === rejected.id)).toMatchObject({
      state: 'rejected',
      receipt_code: 'ERR_WRONG_RECIPIENT',
      peer: 'VN',
    });

    // Requeued by an admin, the same bytes meet the same refusal: a retry never turns a rejection into acceptance.
    expect(await f.client(th, tokens.admin).bureau.outbox.retry.mutate({ id: rejected.id })).toEqual({ requeued: true, due: 1 });
    await f.until(async () => {
      const row = await rowOf();
      return row.state === 'rejected' && Number(row.delivered_at) > Number(rejected.delivered_at);
    });
    expect(await rowOf()).toMatchObject({ state: 'rejected', receipt_code: 'ERR_WRONG_RECIPIENT', attempts: 1 });
    const vnOfficer = await f.token(f.node('VN'), 'officer');
    expect((await f.client(f.node('VN'), vnOfficer).bureau.inbox.list.query()).some((r) => r.id === messageId)).toBe(false);
  });

  it('dead-letters at once a queued row whose signed message this node does not hold, naming it', async () => {
    thClock.reset();
    const th = f.node('TH');
    // Rows are queued with their message (queueSent); a row without one could never be delivered.
    const messageId = uuidv7(Date.now());
    await enqueue(th.ctx.db, { id: messageId, kind: 'status', peers: ['VN'], now: Date.now() });
    th.ctx.wakeOutbox();
    const rowOf = () => th.ctx.db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).executeTakeFirstOrThrow();
    const dead = await f.until(async () => {
      const row = await rowOf();
      return row.state === 'dead' ? row : null;
    });
    expect(dead).toMatchObject({ attempts: 0, claimed_by: null, last_error: `its signed status ${messageId} is not held by this node` });
    const problems = await f.client(th, tokens.admin).bureau.outbox.problems.query();
    expect(problems.find((p) => p.id === dead.id)).toMatchObject({ state: 'dead', peer: 'VN' });
    expect(await f.node('VN').ctx.db.selectFrom('received').select('message_id').where('message_id', '=', messageId).execute()).toEqual([]);
  });
});
