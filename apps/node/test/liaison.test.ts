import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipNetwork } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRows } from '../src/db/chunks.js';
import { openDatabase } from '../src/db/database.js';
import { rotateKey } from '../src/keys/rotation.js';
import { addMember } from '../src/liaison/authority.js';
import { clusters } from '../src/liaison/clusters.js';
import { OPERATION_CLOCK_FILE } from '../src/liaison/operation-clock.js';
import { createTestFederation, OPERATION, type TestFederation } from '../src/testing/federation.js';
import { ipIn, refer, signReferral } from '../src/testing/fixtures.js';
import { scratchLocation } from '../src/testing/scratch-db.js';

const fail = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    return (error as { data?: { firstlightCode?: string } }).data?.firstlightCode ?? 'THREW';
  }
  return 'OK';
};

describe('the liaison office with three countries', () => {
  let f: TestFederation;
  let analyst: string;
  let admin: string;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH', 'VN'] });
    analyst = await f.token(f.liaison, 'analyst');
    admin = await f.token(f.liaison, 'admin');
  });
  afterAll(() => f.close());

  it('enrols, publishes through the router, and every node picks up the new serial', async () => {
    const lo = f.client(f.liaison, admin);
    const before = f.liaison.ctx.directory.serial ?? 0;
    await lo.liaison.directory.createOperation.mutate({
      id: 'first-light-2016',
      name: 'First Light 2016',
      start: '2016-06-01',
      end: '2016-12-31',
      participants: ['TH', 'KH'],
    });
    const { serial } = await lo.liaison.directory.publish.mutate({});
    expect(serial).toBe(before + 1);
    await f.until(() => Object.values(f.nodes).every((n) => n.ctx.directory.serial === serial));
    expect(
      f
        .node('VN')
        .ctx.directory.current()
        ?.directory.operations.map((o) => o.id),
    ).toContain('first-light-2016');
    const draft = await lo.liaison.directory.get.query();
    expect(draft.published?.serial).toBe(serial);
    expect(draft.draft.members.map((m) => m.country).sort()).toEqual(['KH', 'TH', 'VN']);
  });

  it('refuses directory management to analysts, and national tokens mean nothing here', async () => {
    const asAnalyst = f.client(f.liaison, analyst);
    expect(await fail(asAnalyst.liaison.directory.publish.mutate({}))).toBe('ERR_FORBIDDEN');
    expect(await fail(asAnalyst.liaison.directory.revokeKey.mutate({ kid: 'x'.repeat(43), reason: 'test' }))).toBe('ERR_FORBIDDEN');
    expect(await fail(asAnalyst.liaison.overview.query({}))).toBe('OK');
    const thOfficer = await f.token(f.node('TH'), 'officer');
    expect(await fail(f.client(f.liaison, thOfficer).liaison.overview.query({}))).toBe('ERR_UNAUTHORIZED');
    expect(await fail(f.client(f.liaison).liaison.overview.query({}))).toBe('ERR_UNAUTHORIZED');
    // An analyst token of the liaison office opens nothing on a national node either.
    expect(await fail(f.client(f.node('TH'), analyst).bureau.inbox.list.query())).toBe('ERR_UNAUTHORIZED');
    // A liaison procedure on a national node is refused even with that node's own admin token.
    const thAdmin = await f.token(f.node('TH'), 'admin');
    expect(await fail(f.client(f.node('TH'), thAdmin).liaison.overview.query({}))).toBe('ERR_FORBIDDEN');
    expect(await fail(asAnalyst.liaison.referrals.query({ limit: 5000 }))).toBe('ERR_INPUT');
  });

  it('clusters referrals from two countries to the same /24 sharing an evidence digest, and sums signed outcomes', async () => {
    const th = f.node('TH');
    const vn = f.node('VN');
    const kh = f.node('KH');
    const thOfficer = await f.token(th, 'officer');
    const vnOfficer = await f.token(vn, 'officer');
    const khOfficer = await f.token(kh, 'officer');
    const shared = 'fake arrest-warrant site, same page';
    const a = await refer(f, th, thOfficer, 'KH', { offset: 1, evidenceText: shared });
    const b = await refer(f, vn, vnOfficer, 'KH', { offset: 2, evidenceText: shared });
    const c = await refer(f, th, thOfficer, 'VN', { offset: 3 });
    expect(ipIn(f, 'KH', 1).split('.').slice(0, 3)).toEqual(ipIn(f, 'KH', 2).split('.').slice(0, 3));

    const kc = f.client(kh, khOfficer);
    const vc = f.client(vn, vnOfficer);
    await f.until(async () => (await kc.bureau.inbox.list.query()).filter((r) => r.id === a.id || r.id === b.id).length === 2);
    await f.until(async () => (await vc.bureau.inbox.list.query()).some((r) => r.id === c.id));
    const outcomes = [
      { client: kc, id: a.id, outcome: { suspectsIdentified: 12, arrests: 9, premisesSearched: 1, callCentresDismantled: 1 } },
      { client: kc, id: b.id, outcome: { suspectsIdentified: 4, arrests: 3, premisesSearched: 1, callCentresDismantled: 0 } },
      { client: vc, id: c.id, outcome: { suspectsIdentified: 7, arrests: 5, premisesSearched: 2, callCentresDismantled: 1 } },
    ];
    for (const o of outcomes) {
      await o.client.bureau.inbox.updateStatus.mutate({ referralId: o.id, state: 'located' });
      await o.client.bureau.inbox.updateStatus.mutate({ referralId: o.id, state: 'action_taken', outcome: o.outcome });
    }
    // A closing status restates the totals: it must not count twice.
    await kc.bureau.inbox.updateStatus.mutate({ referralId: a.id, state: 'closed', outcome: outcomes[0]?.outcome });

    const lo = f.client(f.liaison, analyst);
    const view = await f.until(async () => {
      const o = await lo.liaison.overview.query({ operation: OPERATION });
      return o.headline.statuses === 7 ? o : null;
    });
    const sum = (k: keyof (typeof outcomes)[number]['outcome']) => outcomes.reduce((n, o) => n + o.outcome[k], 0);
    expect(view.headline).toMatchObject({
      referrals: 3,
      suspectsIdentified: sum('suspectsIdentified'),
      arrests: sum('arrests'),
      premisesSearched: sum('premisesSearched'),
      callCentresDismantled: sum('callCentresDismantled'),
    });
    expect(view.perCountry.find((p) => p.country === 'KH')).toMatchObject({ received: 2, sent: 0 });
    expect(view.perCountry.find((p) => p.country === 'TH')).toMatchObject({ sent: 2, byAction: { locate: 2 } });
    // Each country's own signed outcomes: KH acted on a and b, VN on c.
    expect(view.perCountry.find((p) => p.country === 'KH')).toMatchObject({ arrests: 12, callCentresDismantled: 1 });
    expect(view.perCountry.find((p) => p.country === 'VN')).toMatchObject({ arrests: 5, callCentresDismantled: 1 });

    // One suspected call centre, not one per signal: the /24 and the evidence file join the same two referrals.
    const correlation = await lo.liaison.clusters.query({ operation: OPERATION });
    expect(correlation.clusters).toHaveLength(1);
    const [centre] = correlation.clusters;
    expect(centre).toMatchObject({ referrals: 2, countries: ['TH', 'VN'], locatedIn: ['KH'] });
    expect(new Set(centre?.referralIds)).toEqual(new Set([a.id, b.id]));
    expect(centre?.signals).toEqual([
      { kind: 'network', key: ipNetwork(ipIn(f, 'KH', 1)), referrals: 2 },
      { kind: 'evidence', key: `sha256:${createHash('sha256').update(shared).digest('hex')}`, referrals: 2 },
    ]);
    expect(correlation.clusters.some((cl) => cl.referralIds.includes(c.id))).toBe(false);
    expect(correlation.flagged).toEqual([]);

    const flows = await lo.liaison.flows.query({ operation: OPERATION });
    expect(flows).toEqual(
      expect.arrayContaining([
        { from: 'TH', to: 'KH', count: 1 },
        { from: 'VN', to: 'KH', count: 1 },
        { from: 'TH', to: 'VN', count: 1 },
      ]),
    );

    const list = await lo.liaison.referrals.query({ country: 'KH', state: 'closed' });
    expect(list.items.map((r) => r.id)).toEqual([a.id]);
    const byIp = await lo.liaison.referrals.query({ ip: ipIn(f, 'KH', 2) });
    expect(byIp.items.map((r) => r.id)).toEqual([b.id]);
    const paged = await lo.liaison.referrals.query({ limit: 2 });
    expect(paged.total).toBe(3);
    const rest = await lo.liaison.referrals.query({ limit: 2, cursor: paged.nextCursor ?? '' });
    expect([...paged.items, ...rest.items].map((r) => r.id).sort()).toEqual([a.id, b.id, c.id].sort());

    const hist = await lo.liaison.history.query({ id: a.id });
    expect(hist.operationClock).toBeNull();
    expect(hist.referral.signer).toBe('TH');
    const statusEvents = hist.events.filter((e) => e.type === 'status');
    expect(statusEvents.map((e) => e.summary.split(':')[1]?.trim().split(' ')[0])).toEqual(['located', 'action', 'closed']);
    expect(statusEvents.every((e) => e.signer === 'KH' && e.kid.length === 43)).toBe(true);
    expect(hist.events.some((e) => e.type === 'receipt')).toBe(true);
    expect(await fail(lo.liaison.history.query({ id: '01900000-0000-7000-8000-000000000000' }))).toBe('ERR_NOT_FOUND');

    const timeline = await lo.liaison.timeline.query({ operation: OPERATION, bucket: 'hour' });
    expect(timeline.reduce((n, b) => n + b.referrals, 0)).toBe(3);
    expect(timeline.reduce((n, b) => n + b.arrests, 0)).toBe(sum('arrests'));
    // Hour buckets, oldest first, each holding what it counts.
    for (const b of timeline) expect(b.at % 3600).toBe(0);
    expect(timeline.map((b) => b.at)).toEqual([...timeline.map((b) => b.at)].sort((x, y) => x - y));
    expect(timeline.every((b) => b.referrals + b.statuses > 0)).toBe(true);
    // auto: these referrals and statuses span seconds, so minute buckets, holding the same counts.
    const auto = await lo.liaison.timeline.query({ operation: OPERATION, bucket: 'auto' });
    expect(auto.every((b) => b.size === 60 && b.at % 60 === 0)).toBe(true);
    expect(auto.reduce((n, b) => n + b.referrals, 0)).toBe(3);
    expect(auto.reduce((n, b) => n + b.arrests, 0)).toBe(sum('arrests'));

    // A replay's operation clock: without one, operationDay is plain days and the clock answer is null.
    expect(await lo.liaison.operationClock.query()).toBeNull();
    const plain = await lo.liaison.timeline.query({ operation: OPERATION, bucket: 'operationDay' });
    expect(plain.map((b) => b.at % 86_400)).toEqual(plain.map(() => 0));
    // With one (one real second per operation day from the first referral on), each bucket is labelled
    // with the operation's own day, counts unchanged; the signed times are untouched.
    const first = Math.min(...timeline.map((b) => b.at)) * 1000;
    const clock = {
      operation: OPERATION,
      calendarStart: '2015-06-01',
      label: 'replay: 1 s = 1 day',
      segments: [{ at: first - 10_000, day: 0, msPerDay: 1000 }],
    };
    writeFileSync(join(f.liaison.ctx.dataDir, OPERATION_CLOCK_FILE), JSON.stringify(clock));
    try {
      expect(await lo.liaison.operationClock.query()).toEqual(clock);
      const days = await lo.liaison.timeline.query({ operation: OPERATION, bucket: 'operationDay' });
      expect(days.reduce((n, b) => n + b.referrals, 0)).toBe(3);
      expect(days.reduce((n, b) => n + b.arrests, 0)).toBe(sum('arrests'));
      for (const b of days) expect((b.day ?? '') >= '2015-06-11').toBe(true);
      const replayed = await lo.liaison.history.query({ id: a.id });
      expect(replayed.referral.iat).toBe(hist.referral.iat);
      expect(replayed.events.map((e) => e.at)).toEqual(hist.events.map((e) => e.at));
      expect(replayed.events.every((e) => (e.operationDay ?? '') >= '2015-06-11')).toBe(true);
      expect(replayed.operationClock).toBe('replay: 1 s = 1 day');
    } finally {
      rmSync(join(f.liaison.ctx.dataDir, OPERATION_CLOCK_FILE), { force: true });
    }
  });

  it('flags common values instead of ranking them as call centres, and lets them join nothing', async () => {
    const previous = f.liaison.ctx.config.commonThreshold;
    f.liaison.ctx.config.commonThreshold = 1;
    try {
      const { clusters, flagged, threshold } = await f.client(f.liaison, analyst).liaison.clusters.query({});
      expect(threshold).toBe(1);
      expect(clusters).toEqual([]);
      expect(flagged.map((v) => [v.kind, v.referrals, v.countries])).toEqual([
        ['network', 2, ['TH', 'VN']],
        ['evidence', 2, ['TH', 'VN']],
      ]);
    } finally {
      f.liaison.ctx.config.commonThreshold = previous;
    }
  });

  it('rotates a key across all nodes, then revokes one everywhere', async () => {
    const th = f.node('TH');
    const lo = f.client(f.liaison, admin);
    const oldKid = th.ctx.keys.signingKey(
      Math.floor(Date.now() / 1000),
      (kid) => th.ctx.directory.current()?.trust.find(kid) !== undefined,
    ).kid;
    const rotated = await rotateKey(th.ctx);
    expect(rotated.submitted).toBe(true);
    const pending = await lo.liaison.directory.pendingKeys.query();
    expect(pending.map((k) => [k.kid, k.country])).toEqual([[rotated.kid, 'TH']]);
    await lo.liaison.directory.approveKey.mutate({ kid: rotated.kid });
    const { serial } = await lo.liaison.directory.publish.mutate({});
    await f.until(() => Object.values(f.nodes).every((n) => n.ctx.directory.serial === serial));
    for (const n of Object.values(f.nodes)) {
      const th = n.ctx.directory.current()?.directory.members.find((m) => m.country === 'TH');
      expect(th?.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, rotated.kid]));
    }
    // TH now signs with the new key; KH accepts it.
    const thOfficer = await f.token(th, 'officer');
    const sent = await refer(f, th, thOfficer, 'KH', { offset: 40 });
    const kh = f.node('KH');
    await f.until(
      async () =>
        (await kh.ctx.db.selectFrom('received').select('message_id').where('message_id', '=', sent.id).executeTakeFirst()) ?? null,
    );
    const jws = (await th.ctx.db.selectFrom('referrals_out').select('jws').where('id', '=', sent.id).executeTakeFirstOrThrow()).jws;
    expect(JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString()).kid).toBe(rotated.kid);

    // A forged submission (not signed by a member key) is refused with a clear code.
    const res = await fetch(`${f.liaison.url}/trpc/federation.submitKey`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jws: 'eyJhbGciOiJFZERTQSJ9.e30.AAAA' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { data: { firstlightCode: string } } }).error.data.firstlightCode).toBe('ERR_INPUT');

    // Revoke VN's key: from the next serial, VN's messages are refused everywhere.
    const vn = f.node('VN');
    const vnKid = vn.ctx.directory.current()?.directory.members.find((m) => m.country === 'VN')?.keys[0]?.kid ?? '';
    await lo.liaison.directory.revokeKey.mutate({ kid: vnKid, reason: 'seized laptop' });
    const next = await lo.liaison.directory.publish.mutate({});
    await f.until(() => Object.values(f.nodes).every((n) => n.ctx.directory.serial === next.serial));
    const vnOfficer = await f.token(vn, 'officer');
    const doomed = await refer(f, vn, vnOfficer, 'TH', { offset: 50 });
    const vc = f.client(vn, vnOfficer);
    const refused = await f.until(async () => {
      const r = await vc.bureau.referrals.get.query({ id: doomed.id });
      return r.delivery.length === 2 && r.delivery.every((d) => d.state === 'rejected') ? r : null;
    });
    expect(refused.delivery.map((d) => d.rejectedCode)).toEqual(['ERR_KEY_REVOKED', 'ERR_KEY_REVOKED']);
    const health = await f.client(f.liaison, analyst).liaison.health.query();
    const vnHealth = health.members.find((m) => m.country === 'VN');
    expect(vnHealth?.keys.find((k) => k.kid === vnKid)?.revoked).toBe(true);
    expect(health.members.find((m) => m.country === 'TH')?.directorySerial).toBe(next.serial);
    expect(health.members.find((m) => m.country === 'TH')?.silent).toBe(false);
  });

  it('refuses every liaison procedure without a token, and with a national token', async () => {
    const thAdmin = await f.token(f.node('TH'), 'admin');
    const calls = (c: ReturnType<typeof f.client>) => [
      c.liaison.overview.query({}),
      c.liaison.flows.query({}),
      c.liaison.timeline.query({ bucket: 'day' }),
      c.liaison.referrals.query({}),
      c.liaison.history.query({ id: '01900000-0000-7000-8000-000000000000' }),
      c.liaison.clusters.query({}),
      c.liaison.health.query(),
      c.liaison.directory.get.query(),
      c.liaison.directory.pendingKeys.query(),
      c.liaison.directory.publish.mutate({}),
      c.liaison.directory.approveKey.mutate({ kid: 'x'.repeat(43) }),
      c.liaison.directory.revokeKey.mutate({ kid: 'x'.repeat(43), reason: 'r' }),
      c.liaison.directory.removeMember.mutate({ country: 'TH' }),
      c.liaison.directory.addMember.mutate({ country: 'MY', name: 'MY', endpoint: 'http://127.0.0.1:9', jwk: {} }),
      c.liaison.directory.createOperation.mutate({ name: 'x', start: '2015-01-01', end: '2015-02-01', participants: [] }),
    ];
    for (const code of await Promise.all(calls(f.client(f.liaison)).map(fail))) expect(code).toBe('ERR_UNAUTHORIZED');
    for (const code of await Promise.all(calls(f.client(f.liaison, thAdmin)).map(fail))) expect(code).toBe('ERR_UNAUTHORIZED');
  });

  it('flags keys expiring within 14 days and members never heard from', async () => {
    const lo = f.client(f.liaison, admin);
    const { signingKeyFromSeed } = await import('@firstlight/protocol');
    const key = signingKeyFromSeed(new Uint8Array(32).fill(77));
    const now = Math.floor(Date.now() / 1000);
    await addMember(f.liaison.ctx.db, {
      country: 'MY',
      name: 'Malaysia',
      endpoint: 'http://127.0.0.1:9',
      jwk: key.publicJwk,
      now: Date.now(),
      exp: now + 5 * 86_400,
    });
    await lo.liaison.directory.publish.mutate({});
    const health = await f.client(f.liaison, analyst).liaison.health.query();
    const my = health.members.find((m) => m.country === 'MY');
    expect(my?.keys[0]?.expiringSoon).toBe(true);
    expect(my?.silent).toBe(true);
    expect(my?.lastContact).toBeNull();
    // Nothing answers at its endpoint: said as unreachable, with when it was asked.
    expect(my?.reachable).toBe(false);
    expect(my?.probedAt).toBeGreaterThan(0);
    expect(health.members.find((m) => m.country === 'TH')?.reachable).toBe(true);
    expect(health.members.find((m) => m.country === 'TH')?.keys.every((k) => !k.expiringSoon)).toBe(true);
  });

  it('nodes also pick up a new serial on their own refresh, without a push', async () => {
    const { publishDirectory } = await import('../src/liaison/authority.js');
    const { serial } = await publishDirectory(f.liaison.ctx);
    for (const n of Object.values(f.nodes)) expect(n.ctx.directory.serial).toBeLessThan(serial);
    await Promise.all(Object.values(f.nodes).map((n) => n.services.refreshDirectory()));
    await f.until(() => Object.values(f.nodes).every((n) => n.ctx.directory.serial === serial));
  });

  it('gives a referral copy the status that reached the liaison office before it', async () => {
    const { Keystore } = await import('../src/keys/keystore.js');
    const { signMessage, uuidv7 } = await import('@firstlight/protocol');
    const now = Math.floor(Date.now() / 1000);
    const thKey = Keystore.open(f.node('TH').ctx.dataDir).signingKey(now);
    const khKey = Keystore.open(f.node('KH').ctx.dataDir).signingKey(now);
    const id = uuidv7();
    const referral = await signReferral(thKey, {
      id,
      from: 'TH',
      to: 'KH',
      iat: now,
      ip: ipIn(f, 'KH', 40),
      evidence: [`sha256:${'c'.repeat(64)}`],
      urgency: 'urgent',
    });
    const declined = await signMessage(
      'status',
      { v: 1, id: uuidv7(), from: 'KH', to: 'TH', iat: now, referral: id, state: 'declined', reason: 'ip_not_traceable' },
      khKey,
    );
    const deliver = async (jws: string) => {
      const res = await fetch(`${f.liaison.url}/trpc/federation.deliver`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ envelopes: [jws] }),
      });
      expect(res.status).toBe(200);
    };
    await deliver(declined);
    await deliver(referral);
    const row = await f.liaison.ctx.db
      .selectFrom('liaison_referrals')
      .select(['state', 'state_iat'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'declined', state_iat: now });
  });
});

describe('the liaison office counts a status only from the country its referral was sent to', () => {
  let f: TestFederation;
  let analyst: string;
  let now: number;
  let sign: {
    referral(from: string, to: string, offset: number): Promise<{ id: string; jws: string }>;
    status(
      signer: string,
      to: string,
      referral: string,
      state: 'located' | 'action_taken' | 'closed',
      outcome: [number, number, number, number],
      iat?: number,
    ): Promise<string>;
  };
  const huge: [number, number, number, number] = [100_000, 100_000, 100_000, 100_000];

  /** Delivers to the liaison office's federation.deliver; returns each receipt's verdict. */
  const deliver = async (...envelopes: string[]) => {
    const res = await fetch(`${f.liaison.url}/trpc/federation.deliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ envelopes }),
    });
    expect(res.status).toBe(200);
    const { receipts } = ((await res.json()) as { result: { data: { receipts: string[] } } }).result.data;
    return receipts.map((r) => JSON.parse(Buffer.from(r.split('.')[1] ?? '', 'base64url').toString()).verdict as string);
  };
  const figures = async () => {
    const lo = f.client(f.liaison, analyst);
    const all = await lo.liaison.overview.query({});
    const op = await lo.liaison.overview.query({ operation: OPERATION });
    const timeline = await lo.liaison.timeline.query({ bucket: 'day' });
    return {
      all: all.headline,
      operation: op.headline,
      timelineStatuses: timeline.reduce((n, b) => n + b.statuses, 0),
      timelineArrests: timeline.reduce((n, b) => n + b.arrests, 0),
    };
  };

  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH', 'VN'] });
    analyst = await f.token(f.liaison, 'analyst');
    const { Keystore } = await import('../src/keys/keystore.js');
    const { signMessage, uuidv7 } = await import('@firstlight/protocol');
    now = Math.floor(Date.now() / 1000);
    const key = (country: string) => Keystore.open(f.node(country).ctx.dataDir).signingKey(now);
    sign = {
      async referral(from, to, offset) {
        const id = uuidv7();
        const jws = await signReferral(key(from), {
          id,
          from,
          to,
          iat: now,
          ip: ipIn(f, to, offset),
          evidence: [`sha256:${'d'.repeat(63)}${offset % 10}`],
          urgency: 'urgent',
        });
        return { id, jws };
      },
      status(signer, to, referral, state, [suspectsIdentified, arrests, premisesSearched, callCentresDismantled], iat = now) {
        return signMessage(
          'status',
          {
            v: 1,
            id: uuidv7(),
            from: signer,
            to,
            iat,
            referral,
            state,
            outcome: { suspectsIdentified, arrests, premisesSearched, callCentresDismantled },
          },
          key(signer),
        );
      },
    };
  });
  afterAll(() => f.close());

  it("keeps out another member's status on a referral sent elsewhere, and a status naming no referral it holds", async () => {
    const referral = await sign.referral('TH', 'KH', 60);
    const legit = await sign.status('KH', 'TH', referral.id, 'action_taken', [12, 9, 1, 1]);
    expect(await deliver(referral.jws, legit)).toEqual(['accepted', 'accepted']);
    const before = await figures();
    expect(before.all).toMatchObject({ referrals: 1, statuses: 1, suspectsIdentified: 12, arrests: 9, callCentresDismantled: 1 });

    const { uuidv7 } = await import('@firstlight/protocol');
    const forgeries = [
      // A third country claims the referral's outcome, later than the recipient's own word.
      await sign.status('VN', 'TH', referral.id, 'closed', huge, now + 1),
      // The origin itself cannot report on what it sent.
      await sign.status('TH', 'KH', referral.id, 'closed', huge, now + 1),
      // The recipient, but addressed to a country that is not the origin.
      await sign.status('KH', 'VN', referral.id, 'closed', huge, now + 1),
      // A referral id the liaison office never received.
      await sign.status('KH', 'TH', uuidv7(), 'action_taken', huge),
    ];
    // Each is a validly signed copy: the liaison office keeps it (its referral might arrive later)…
    expect(await deliver(...forgeries)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    const held = await f.liaison.ctx.db
      .selectFrom('liaison_statuses')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    expect(Number(held?.n)).toBe(5);

    // …but none of them counts, nor moves the referral's state, nor enters its signed history.
    expect(await figures()).toEqual(before);
    const lo = f.client(f.liaison, analyst);
    const listed = await lo.liaison.referrals.query({ country: 'KH' });
    expect(listed.items.find((r) => r.id === referral.id)?.state).toBe('action_taken');
    expect((await lo.liaison.referrals.query({ state: 'closed' })).total).toBe(0);
    const hist = await lo.liaison.history.query({ id: referral.id });
    const statuses = hist.events.filter((e) => e.type === 'status');
    expect(statuses.map((e) => e.signer)).toEqual(['KH']);
    expect(statuses[0]?.summary).toContain('9 arrests');
    expect(hist.events.filter((e) => e.type === 'receipt')).toHaveLength(2);
  });

  it("counts the recipient's status that came before its referral copy, and never another member's that came early too", async () => {
    const before = await figures();
    const referral = await sign.referral('VN', 'KH', 61);
    const early = await sign.status('KH', 'VN', referral.id, 'located', [3, 2, 1, 0]);
    const forged = await sign.status('TH', 'VN', referral.id, 'closed', huge, now + 1);
    expect(await deliver(early, forged)).toEqual(['accepted', 'accepted']);
    // Neither counts while the referral is not held.
    expect(await figures()).toEqual(before);

    expect(await deliver(referral.jws)).toEqual(['accepted']);
    const after = await figures();
    expect(after.all).toEqual({
      // VN now sends too.
      countries: 3,
      referrals: before.all.referrals + 1,
      statuses: before.all.statuses + 1,
      suspectsIdentified: before.all.suspectsIdentified + 3,
      arrests: before.all.arrests + 2,
      premisesSearched: before.all.premisesSearched + 1,
      callCentresDismantled: before.all.callCentresDismantled,
    });
    expect(after.operation).toEqual(after.all);
    expect(after.timelineStatuses).toBe(before.timelineStatuses + 1);
    expect(after.timelineArrests).toBe(before.timelineArrests + 2);
    // The referral takes the recipient's state, not the later one another member signed.
    const row = await f.liaison.ctx.db
      .selectFrom('liaison_referrals')
      .select(['state', 'state_iat'])
      .where('id', '=', referral.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'located', state_iat: now });
    // A forged status arriving after the referral copy does not move it either (and a second closed
    // from the same forger is refused outright: closed is final, PROTOCOL.md §2.2.1).
    expect(await deliver(await sign.status('TH', 'KH', referral.id, 'closed', huge, now + 2))).toEqual(['accepted']);
    expect(await deliver(await sign.status('TH', 'VN', referral.id, 'closed', huge, now + 2))).toEqual(['rejected']);
    expect(await figures()).toEqual(after);
    const again = await f.liaison.ctx.db
      .selectFrom('liaison_referrals')
      .select('state')
      .where('id', '=', referral.id)
      .executeTakeFirstOrThrow();
    expect(again.state).toBe('located');
  });
});

describe('suspected call centres: connected referrals, common values flagged', () => {
  type Copy = { from: string; to: string; ip: string; evidence?: string[]; operation?: string };
  let db: Awaited<ReturnType<typeof openDatabase>>;
  let cleanup: () => Promise<void>;
  let next = 0;
  const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

  beforeAll(async () => {
    const scratch = await scratchLocation('clusters');
    db = await openDatabase({ location: scratch.location });
    cleanup = async () => {
      await db.close();
      await scratch.dispose();
    };
  });
  afterAll(() => cleanup());

  /** Referral copies as the applier stores them, with time-ordered ids; returns their ids in order. */
  async function hold(operation: string, copies: Copy[]): Promise<string[]> {
    const rows = copies.map((c) => {
      next += 1;
      return { ...c, id: `01900000-0000-7000-8000-${String(next).padStart(12, '0')}` };
    });
    await insertRows(
      db.db,
      'liaison_referrals',
      rows.map((r) => ({
        id: r.id,
        from_country: r.from,
        to_country: r.to,
        ip: r.ip,
        network: ipNetwork(r.ip) ?? r.ip,
        port: null,
        seen_at: '2015-06-01T10:00:00Z',
        action: 'locate',
        urgency: 'urgent',
        operation,
        evidence: JSON.stringify(r.evidence ?? []),
        iat: 1_433_152_800 + next,
        received_at: 1_433_152_800_000 + next,
        state: 'sent',
        state_iat: null,
        jws: 'x.y.z',
      })),
      300,
    );
    const evidence = rows.flatMap((r) => (r.evidence ?? []).map((d) => ({ referral_id: r.id, digest: d, from_country: r.from })));
    await insertRows(db.db, 'liaison_evidence', evidence, 300);
    return rows.map((r) => r.id);
  }
  const correlate = (operation: string, commonThreshold = 200) =>
    clusters({ db: db.db, config: { commonThreshold } }, { operation, limit: 100 });

  it('joins referrals through chains of signals into one cluster, listing every signal that joined it', async () => {
    const ids = await hold('chain', [
      { from: 'TH', to: 'KH', ip: '198.51.100.7', evidence: [digest('warrant page')] },
      { from: 'VN', to: 'KH', ip: '198.51.100.7' },
      { from: 'MY', to: 'KH', ip: '198.51.100.99' },
      { from: 'SG', to: 'LA', ip: '192.0.2.1', evidence: [digest('warrant page')] },
      { from: 'TH', to: 'KH', ip: '203.0.113.5' },
    ]);
    const { clusters: found } = await correlate('chain');
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual({
      id: ids[0],
      referrals: 4,
      countries: ['MY', 'SG', 'TH', 'VN'],
      // LA's address was seen once, by one victim: the shared KH addresses say where the centre is.
      locatedIn: ['KH'],
      sentTo: ['KH', 'LA'],
      signals: [
        { kind: 'network', key: '198.51.100.0/24', referrals: 3 },
        { kind: 'ip', key: '198.51.100.7', referrals: 2 },
        { kind: 'evidence', key: digest('warrant page'), referrals: 2 },
      ],
      referralIds: ids.slice(0, 4),
    });
  });

  it('keeps two centres apart that a fake-police page and a VPN exit both touch, and lists those values as bridging', async () => {
    // Two centres, each with its own network and warrant page; some victims of each also saved the
    // same circulated fake-police page, and one of each reached the same VPN exit in SG.
    const centre = (net: string, page: string, from: string) => [
      { from, to: 'KH', ip: `${net}.1`, evidence: [digest(page)] },
      { from, to: 'KH', ip: `${net}.2`, evidence: [digest(page), digest('police page')] },
      { from, to: 'KH', ip: `${net}.3`, evidence: [digest(page)] },
      { from, to: 'SG', ip: '203.0.113.50', evidence: [digest(page), digest('police page')] },
    ];
    const ids = await hold('bridges', [...centre('198.51.100', 'warrant A', 'CN'), ...centre('192.0.2', 'warrant B', 'HK')]);
    const view = await correlate('bridges');
    expect(view.clusters.map((c) => c.referralIds)).toEqual([ids.slice(0, 4), ids.slice(4, 8)]);
    expect(view.clusters.map((c) => [c.locatedIn, c.sentTo])).toEqual([
      [['KH'], ['KH', 'SG']],
      [['KH'], ['KH', 'SG']],
    ]);
    expect(view.bridging.map((b) => [b.kind, b.key, b.clusters])).toEqual([
      ['evidence', digest('police page'), 2],
      ['ip', '203.0.113.50', 2],
    ]);
    expect(view.clusters.flatMap((c) => c.signals.map((s) => s.key))).not.toContain(digest('police page'));
  });

  it('does not let a common range or a ubiquitous file glue unrelated referrals together, and flags them', async () => {
    const ids = await hold('cloud', [
      { from: 'TH', to: 'SG', ip: '203.0.113.10', evidence: [digest('favicon'), digest('kit A')] },
      { from: 'VN', to: 'SG', ip: '203.0.113.11', evidence: [digest('favicon')] },
      { from: 'MY', to: 'SG', ip: '203.0.113.12', evidence: [digest('favicon'), digest('kit B')] },
      { from: 'KH', to: 'SG', ip: '203.0.113.13', evidence: [digest('favicon'), digest('kit B')] },
      { from: 'TH', to: 'KH', ip: '192.0.2.20', evidence: [digest('kit A')] },
    ]);
    // Threshold 3: the /24 (4 referrals) and the favicon (4) are common; the kits (2 each) are not.
    const view = await correlate('cloud', 3);
    expect(view.threshold).toBe(3);
    expect(view.clusters.map((c) => [c.referralIds, c.signals.map((s) => s.key)])).toEqual([
      [[ids[2], ids[3]], [digest('kit B')]],
      [[ids[0], ids[4]], [digest('kit A')]],
    ]);
    expect(view.clusters.flatMap((c) => c.referralIds)).not.toContain(ids[1]);
    expect(view.flagged).toEqual([
      { kind: 'network', key: '203.0.113.0/24', referrals: 4, countries: ['KH', 'MY', 'TH', 'VN'], locatedIn: ['SG'] },
      { kind: 'evidence', key: digest('favicon'), referrals: 4, countries: ['KH', 'MY', 'TH', 'VN'], locatedIn: ['SG'] },
    ]);
    // With the default threshold the same values do join: one cluster of all five.
    const loose = await correlate('cloud');
    expect(loose.flagged).toEqual([]);
    expect(loose.clusters.map((c) => c.referrals)).toEqual([5]);
  });

  it('ranks clusters by countries involved, then reporting countries, then referrals; a lone referral is no cluster', async () => {
    const ids = await hold('ranking', [
      // Two countries involved, three referrals.
      { from: 'TH', to: 'KH', ip: '192.0.2.1' },
      { from: 'TH', to: 'KH', ip: '192.0.2.1' },
      { from: 'TH', to: 'KH', ip: '192.0.2.1' },
      // Three countries involved, two referrals.
      { from: 'TH', to: 'KH', ip: '198.51.100.1' },
      { from: 'VN', to: 'KH', ip: '198.51.100.1' },
      // Two countries involved, two referrals.
      { from: 'VN', to: 'LA', ip: '203.0.113.1' },
      { from: 'VN', to: 'LA', ip: '203.0.113.1' },
      // Three involved but one reporter, two referrals: after the two-reporter one.
      { from: 'MY', to: 'KH', ip: '2001:db8:1::1', evidence: [digest('same kit')] },
      { from: 'MY', to: 'LA', ip: '2001:db8:2::1', evidence: [digest('same kit')] },
      // Alone.
      { from: 'SG', to: 'KH', ip: '100.64.0.1' },
    ]);
    const { clusters: found } = await correlate('ranking');
    expect(found.map((c) => c.id)).toEqual([ids[3], ids[7], ids[0], ids[5]]);
    expect(found.flatMap((c) => c.referralIds)).not.toContain(ids[9]);
    // A network whose referrals all share one IP says nothing more than the IP.
    expect(found[2]?.signals).toEqual([{ kind: 'ip', key: '192.0.2.1', referrals: 3 }]);
    const limited = await clusters({ db: db.db, config: { commonThreshold: 200 } }, { operation: 'ranking', limit: 2 });
    expect(limited.clusters.map((c) => c.id)).toEqual([ids[3], ids[7]]);
    expect(limited.total).toBe(4);
  });
});
