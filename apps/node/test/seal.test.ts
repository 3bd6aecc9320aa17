import { sealDelivery, sha256Digest, verify } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../src/audit/audit-log.js';
import { enqueue } from '../src/outbox/outbox.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { ipIn, keepAsSent, signReferral } from '../src/testing/fixtures.js';

const claimsOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as { id: string };

/** Delivery seals (PROTOCOL.md §2.3.2): one signature for a delivery, and never a shortcut past any other check. */
describe('delivery seals', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH', 'VN'] });
  });
  afterAll(() => f.close());

  const nowS = () => Math.floor(Date.now() / 1000);

  async function referrals(n: number, from = 'TH', to = 'KH') {
    const key = f.node(from).ctx.keys.signingKey(nowS());
    return Promise.all(Array.from({ length: n }, (_, i) => signReferral(key, { from, to, iat: nowS(), ip: ipIn(f, to, i) })));
  }

  /** The same bytes but for one bit of the signature: only a seal can stand for it. */
  const forge = (jws: string) => {
    const dot = jws.lastIndexOf('.') + 1;
    const sig = Buffer.from(jws.slice(dot), 'base64url');
    sig[10] = (sig[10] ?? 0) ^ 1;
    return `${jws.slice(0, dot)}${sig.toString('base64url')}`;
  };

  const seal = (digests: string[], over: { from?: string; to?: string; signer?: string } = {}) =>
    sealDelivery(digests, {
      from: over.from ?? 'TH',
      to: over.to ?? 'KH',
      nowMs: Date.now(),
      key: f.node(over.signer ?? 'TH').ctx.keys.signingKey(nowS()),
    });

  async function deliver(envelopes: string[], sealJws?: string) {
    const res = await fetch(`${f.node('KH').url}/trpc/federation.deliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ envelopes, answer: 'batch', ...(sealJws ? { seal: sealJws } : {}) }),
    });
    expect(res.status).toBe(200);
    const jws = ((await res.json()) as { result: { data: { receiptBatch: string } } }).result.data.receiptBatch;
    const trust = f.node('TH').ctx.directory.current()?.trust;
    if (!trust) throw new Error('no directory');
    const checked = await verify(jws, { type: 'receiptBatch', keys: trust, recipient: 'TH', recipientRole: 'national', now: nowS() });
    if (!checked.ok) throw new Error(checked.error.message);
    return checked.message.receipts.map((r) => (r.verdict === 'accepted' ? 'accepted' : r.code));
  }

  const storedSeals = async (envelopes: string[]) => {
    const rows = await f
      .node('KH')
      .ctx.db.selectFrom('received')
      .select(['digest', 'seal'])
      .where('digest', 'in', envelopes.map(sha256Digest))
      .execute();
    return envelopes.map((e) => rows.find((r) => r.digest === sha256Digest(e))?.seal);
  };

  it('accepts a delivery on its seal alone and keeps the seal as the proof of every message accepted on it', async () => {
    const sent = await referrals(4);
    // Position 2's own signature is broken: the seal, signed with the same key over these exact bytes, stands for it.
    sent[2] = forge(sent[2] as string);
    const sealJws = seal(sent.map(sha256Digest));
    expect(await deliver(sent, sealJws)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    const sealDigest = sha256Digest(sealJws);
    expect(await storedSeals(sent)).toEqual([sealDigest, sealDigest, sealDigest, sealDigest]);
    const kh = f.node('KH').ctx;
    const kept = await kh.db.selectFrom('seals').select('jws').where('digest', '=', sealDigest).executeTakeFirst();
    expect(kept?.jws).toBe(sealJws);
    const audited = await kh.db.selectFrom('audit').select(['kind', 'digest']).where('kind', '=', 'received.seal').execute();
    expect(audited).toContainEqual({ kind: 'received.seal', digest: sealDigest });
    expect(await verifyAudit(kh.db)).toMatchObject({ ok: true });
    const metrics = await kh.metrics.registry.getSingleMetricAsString('firstlight_seals_total');
    expect(metrics).toMatch(/outcome="accepted"[^\n]* [1-9]/);
  });

  it('verifies each envelope on its own when the seal fails: a bad seal costs no message and vouches for none', async () => {
    const sent = await referrals(3);
    const forged = [sent[0] as string, forge(sent[1] as string), sent[2] as string];
    const digests = forged.map(sha256Digest);
    const badSeals = {
      'signature broken': forge(seal(digests)),
      'one digest short': seal(digests.slice(0, 2)),
      'addressed to VN': seal(digests, { to: 'VN' }),
      'signed with KH key': seal(digests, { signer: 'KH' }),
    };
    for (const [why, bad] of Object.entries(badSeals)) {
      expect([why, await deliver(forged, bad)]).toEqual([why, ['accepted', 'ERR_SIGNATURE_INVALID', 'accepted']]);
    }
    expect(await storedSeals([forged[0] as string, forged[2] as string])).toEqual([null, null]);
  });

  it('never vouches for bytes it does not list, nor for an envelope signed with another key', async () => {
    const [good, other] = await referrals(2);
    const forged = forge(other as string);
    // The seal lists the good envelope and other bytes than the forged one's.
    const sealJws = seal([sha256Digest(good as string), sha256Digest(other as string)]);
    expect(await deliver([good as string, forged], sealJws)).toEqual(['accepted', 'ERR_SIGNATURE_INVALID']);
    // VN's referral (VN's key), forged, under TH's seal listing its exact bytes: verified on its own, refused.
    const [fromVn] = await referrals(1, 'VN', 'KH');
    const forgedVn = forge(fromVn as string);
    const [more] = await referrals(1);
    expect(await deliver([more as string, forgedVn], seal([sha256Digest(more as string), sha256Digest(forgedVn)]))).toEqual([
      'accepted',
      'ERR_SIGNATURE_INVALID',
    ]);
  });

  it("a node's outbox seals each delivery of several messages", async () => {
    const th = f.node('TH');
    const sent = await referrals(3);
    for (const jws of sent) await keepAsSent(th.ctx, jws);
    // Queued together (one transaction), so the worker claims them as one delivery.
    await th.ctx.db.transaction().execute(async (trx) => {
      for (const jws of sent) await enqueue(trx, { id: claimsOf(jws).id, kind: 'referral', peers: ['KH'], now: th.ctx.clock.now() });
    });
    th.ctx.wakeOutbox();
    const kh = f.node('KH');
    const rows = await f.until(async () => {
      const r = await kh.ctx.db
        .selectFrom('received')
        .select(['message_id', 'seal'])
        .where(
          'message_id',
          'in',
          sent.map((jws) => claimsOf(jws).id),
        )
        .execute();
      return r.length === 3 ? r : null;
    }, 30_000);
    const seals = new Set(rows.map((r) => r.seal));
    expect(seals.size).toBe(1);
    expect([...seals][0]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
