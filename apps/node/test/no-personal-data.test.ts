import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestFederation, OPERATION, type TestFederation } from '../src/testing/federation.js';
import { CANARY, ipIn, refer } from '../src/testing/fixtures.js';
import { FEDERATION_EXCHANGES } from '../src/tls/federation-transport.js';

/**
 * Every byte one node sends another goes through its federation transport to a federation.* procedure
 * (requests it makes, and the responses peers answer), which publishes each exchange on a diagnostics
 * channel. We record all of it, run a whole referral lifecycle, and look for the victim's data.
 */
describe('a victim’s personal data never crosses a border', () => {
  let f: TestFederation;
  const wire: string[] = [];
  const record = (message: unknown) => {
    const { url, sent, answered } = message as { url: string; sent: string; answered: string };
    // Node-to-node calls all go to federation.* (operators' own calls to their bureau API are not a border).
    expect(url).toContain('/trpc/federation.');
    wire.push(sent, answered);
  };

  beforeAll(async () => {
    subscribe(FEDERATION_EXCHANGES, record);
    f = await createTestFederation({ countries: ['TH', 'KH', 'CN'] });
  });
  afterAll(async () => {
    unsubscribe(FEDERATION_EXCHANGES, record);
    await f.close();
  });

  it('sends referrals, receipts, statuses and copies without the canaries', async () => {
    const officer = await f.token(f.node('TH'), 'officer');
    const sent = await refer(f, f.node('TH'), officer, 'KH');
    const kh = f.client(f.node('KH'), await f.token(f.node('KH'), 'officer'));
    await f.until(async () => (await kh.bureau.inbox.list.query()).some((r) => r.id === sent.id));
    await kh.bureau.inbox.updateStatus.mutate({
      referralId: sent.id,
      state: 'action_taken',
      outcome: { suspectsIdentified: 3, arrests: 2, premisesSearched: 1, callCentresDismantled: 0 },
    });
    const th = f.client(f.node('TH'), officer);
    await f.until(async () => {
      const r = await th.bureau.referrals.get.query({ id: sent.id });
      return r.state === 'action_taken' && r.delivery.every((d) => d.state === 'delivered');
    });
    // The bulk path too: complaints imported with their files, referred and answered in one call each.
    const { ids, evidence } = await th.bureau.complaints.createMany.mutate({
      complaints: [0, 1].map((n) => ({
        victimName: `${CANARY.name} ${n}`,
        victimContact: CANARY.contact,
        amountLost: 9000,
        currency: 'THB',
        scamType: 'fake_police' as const,
        narrative: CANARY.narrative,
        occurredAt: '2015-06-01',
        reportedAt: '2015-06-02',
        attachments: [{ filename: `${CANARY.name}.txt`, base64: Buffer.from(`${CANARY.narrative} ${n}`).toString('base64') }],
      })),
    });
    const bulk = await th.bureau.referrals.createMany.mutate({
      referrals: ['KH', 'CN'].map((to, n) => ({
        complaintId: ids[n] as string,
        ip: ipIn(f, to, 30),
        seenAt: '2015-06-01T10:00:00Z',
        evidence: evidence[n] as string[],
        action: 'locate' as const,
        urgency: 'urgent' as const,
        operation: OPERATION,
      })),
    });
    const toKh = bulk[0]?.ok ? bulk[0].id : '';
    await f.until(async () => (await kh.bureau.inbox.list.query()).some((r) => r.id === toKh));
    await kh.bureau.inbox.updateStatuses.mutate({ updates: [{ referralId: toKh, state: 'located' }] });
    await f.until(async () => (await th.bureau.referrals.get.query({ id: toKh })).state === 'located');
    for (const country of ['TH', 'KH'])
      await f.until(
        async () =>
          (await f.node(country).ctx.db.selectFrom('outbox').select('state').where('state', '=', 'queued').execute()).length === 0,
      );

    // The lifecycle really went over the wire we watched…
    const federationTraffic = wire.filter((w) => w.includes('envelopes') || w.includes('receipts'));
    expect(federationTraffic.length).toBeGreaterThanOrEqual(4);
    // …and the complaint really holds the canaries locally.
    const complaint = await f.node('TH').ctx.db.selectFrom('complaints').selectAll().executeTakeFirstOrThrow();
    expect(complaint.victim_name).toBe(CANARY.name);

    const decoded = wire.flatMap((w) => [
      w,
      ...(w.match(/[A-Za-z0-9_-]{20,}/g) ?? []).map((seg) => Buffer.from(seg, 'base64url').toString('utf8')),
    ]);
    for (const canary of Object.values(CANARY)) {
      for (const bytes of decoded) expect(bytes.includes(canary), `canary "${canary}" found on the wire`).toBe(false);
    }
    // Short fragments (a currency code, a word) also turn up by chance inside random cryptographic text:
    // "THB" was once found in the base64 of a payload quoting a key id. So they are looked for in what
    // the wire says: every compact JWS read as its header and payload text (its signature dropped), with
    // the federation's key ids, public keys and SHA-256 digests taken out. The canaries above are
    // looked for in every byte, raw and decoded, as before.
    const held = f.node('TH').ctx.directory.current()?.directory;
    if (!held) throw new Error('TH holds no directory');
    const keyText = [held.authority.x, ...held.members.flatMap((m) => m.keys.flatMap((k) => [k.kid, k.jwk.x]))];
    const readable = wire.map((w) =>
      keyText
        .reduce(
          (text, key) => text.replaceAll(key, '<key>'),
          w.replace(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, (jws) => {
            const [header = '', payload = ''] = jws.split('.');
            return `${Buffer.from(header, 'base64url').toString('utf8')} ${Buffer.from(payload, 'base64url').toString('utf8')}`;
          }),
        )
        .replace(/sha256:[0-9a-f]{64}/g, '<digest>'),
    );
    expect(readable.some((text) => text.includes('"referral"'))).toBe(true);
    for (const fragment of ['CANARY', 'police', 'fake_police', 'THB']) {
      for (const text of readable) expect(text.includes(fragment), `"${fragment}" found on the wire`).toBe(false);
    }
  });
});
