import { sign as edSign } from 'node:crypto';
import { type Referral, sha256Digest, signMessage, uuidv7, verify } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../src/audit/audit-log.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { ipIn, refer, signReferral } from '../src/testing/fixtures.js';

async function deliver(url: string, envelopes: unknown[], answer?: 'each' | 'batch') {
  const response = await fetch(`${url}/trpc/federation.deliver`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(answer ? { envelopes, answer } : { envelopes }),
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      result?: { data: { receipts: string[]; receiptBatch: string } };
      error?: { message: string; data: Record<string, unknown> };
    },
  };
}

describe('delivery between three countries', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH', 'VN'] });
  });
  afterAll(() => f.close());

  async function signedReferral(from: string, to: string, offset = 0) {
    const node = f.node(from);
    const now = Math.floor(Date.now() / 1000);
    const key = node.ctx.keys.signingKey(now);
    return signReferral(key, { from, to, iat: now, ip: ipIn(f, to, offset), evidence: [`sha256:${'ab'.repeat(32)}`] });
  }

  /** Verifies an answer as TH holds the directory (as the liaison view: a receipt may be addressed to nobody). */
  async function verifyAtTH<T extends 'receipt' | 'receiptBatch'>(jws: unknown, type: T, recipientRole: 'national' | 'liaison') {
    const trust = f.node('TH').ctx.directory.current()?.trust;
    if (!trust) throw new Error('no directory');
    return verify(jws, { type, keys: trust, recipient: 'TH', recipientRole, now: Math.floor(Date.now() / 1000) });
  }

  async function receiptsOf(to: string, envelopes: unknown[]) {
    const { status, body } = await deliver(f.node(to).url, envelopes);
    expect(status).toBe(200);
    return Promise.all(
      (body.result?.data.receipts ?? []).map(async (jws) => {
        const r = await verifyAtTH(jws, 'receipt', 'liaison');
        if (!r.ok) throw new Error(`receipt does not verify: ${r.error.code}`);
        return r.message;
      }),
    );
  }

  it('answers a duplicate delivery with the same receipt and stores the message once', async () => {
    const jws = await signedReferral('TH', 'KH');
    const first = await deliver(f.node('KH').url, [jws]);
    const second = await deliver(f.node('KH').url, [jws, jws]);
    expect(second.body.result?.data.receipts).toEqual([first.body.result?.data.receipts[0], first.body.result?.data.receipts[0]]);
    const rows = await f.node('KH').ctx.db.selectFrom('referrals_in').select('id').execute();
    const [receipt] = await receiptsOf('KH', [jws]);
    expect(receipt?.verdict).toBe('accepted');
    expect(rows.filter((r) => r.id === receipt?.ref.id)).toHaveLength(1);
  });

  it('rejects a tampered envelope with its code while the rest of its batch is accepted', async () => {
    const good1 = await signedReferral('TH', 'KH', 1);
    const good2 = await signedReferral('TH', 'KH', 2);
    const bad = await signedReferral('TH', 'KH', 3);
    const [h, p, s] = bad.split('.');
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, action: 'arrest' })).toString('base64url')}.${s}`;
    const receipts = await receiptsOf('KH', [good1, tampered, 42, good2]);
    expect(receipts.map((r) => r.verdict)).toEqual(['accepted', 'rejected', 'rejected', 'accepted']);
    expect(receipts[1]?.code).toBe('ERR_SIGNATURE_INVALID');
    expect(receipts[2]?.code).toBe('ERR_JWS_MALFORMED');
  });

  it('rejects the same id with other bytes as a replay', async () => {
    const jws = await signedReferral('TH', 'KH', 4);
    await receiptsOf('KH', [jws]);
    const [h, p] = jws.split('.');
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Referral;
    const again = await signMessage(
      'referral',
      { ...payload, urgency: 'emergency' },
      f.node('TH').ctx.keys.signingKey(Math.floor(Date.now() / 1000)),
    );
    expect(again.split('.')[0]).toBe(h);
    const [receipt] = await receiptsOf('KH', [again]);
    expect(receipt?.code).toBe('ERR_REPLAY');
  });

  it('takes the message kind from the typ however long the protected header is (a status with 400 spaces in it is a status)', async () => {
    const th = f.node('TH');
    const sent = await refer(f, th, await f.token(th, 'officer'), 'KH', { offset: 6 });
    const now = Math.floor(Date.now() / 1000);
    const key = f.node('KH').ctx.keys.signingKey(now);
    // Strict JSON allows whitespace between members: the header is still exactly alg, kid and typ.
    const header = `{"alg":"EdDSA","kid":"${key.kid}",${' '.repeat(400)}"typ":"firstlight-status+jws"}`;
    const status = { v: 1, id: uuidv7(), from: 'KH', to: 'TH', iat: now, referral: sent.id, state: 'acknowledged' };
    const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from(JSON.stringify(status)).toString('base64url')}`;
    const jws = `${input}.${edSign(null, Buffer.from(input), key.privateKey).toString('base64url')}`;
    const [receipt] = await receiptsOf('TH', [jws]);
    expect(receipt).toMatchObject({ verdict: 'accepted', ref: { id: status.id } });
    const shown = await th.ctx.db.selectFrom('referrals_out').select('state').where('id', '=', sent.id).executeTakeFirstOrThrow();
    expect(shown.state).toBe('acknowledged');
  });

  it('refuses a referral addressed to another country', async () => {
    const jws = await signedReferral('TH', 'VN');
    const [receipt] = await receiptsOf('KH', [jws]);
    expect(receipt?.code).toBe('ERR_WRONG_RECIPIENT');
  });

  it('audits refusals of signed messages with the rejection it sent, never bytes nobody signed', async () => {
    const kh = f.node('KH');
    const auditTail = async (after: number) =>
      kh.ctx.db.selectFrom('audit').select(['seq', 'kind', 'ref', 'digest']).where('seq', '>', after).orderBy('seq').execute();
    const last = await kh.ctx.db
      .selectFrom('audit')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    const before = Number(last?.seq ?? 0);
    const misaddressed = await signedReferral('TH', 'VN', 5);
    const [h, , s] = misaddressed.split('.');
    const forged = `${h}.${Buffer.from('{"not":"signed"}').toString('base64url')}.${s}`;
    const { body } = await deliver(kh.url, [misaddressed, forged, 'garbage']);
    const receipts = body.result?.data.receipts ?? [];
    const id = (JSON.parse(Buffer.from(misaddressed.split('.')[1] ?? '', 'base64url').toString()) as { id: string }).id;
    expect((await auditTail(before)).map((e) => [e.kind, e.ref, e.digest])).toEqual([
      ['received.rejected.ERR_WRONG_RECIPIENT', `${id}@TH`, sha256Digest(misaddressed)],
      ['sent.receipt', `${id}@TH`, sha256Digest(receipts[0] ?? '')],
    ]);
    expect((await verifyAudit(kh.ctx.db)).ok).toBe(true);
  });

  it('answers a malformed body with a 400 and a stable code, never a stack trace', async () => {
    for (const body of [
      '{not json',
      JSON.stringify({ envelopes: [] }),
      JSON.stringify({ envelopes: 'x' }),
      JSON.stringify({ envelopes: ['a'], extra: 1 }),
      JSON.stringify({ envelopes: ['a'], answer: 'some' }),
    ]) {
      const response = await fetch(`${f.node('KH').url}/trpc/federation.deliver`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(text).not.toMatch(/at .*\.ts:\d+|stack/);
      expect(JSON.parse(text).error.data.firstlightCode).toBe('ERR_INPUT');
    }
    const tooMany = JSON.stringify({ envelopes: new Array(501).fill('x') });
    const response = await fetch(`${f.node('KH').url}/trpc/federation.deliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: tooMany,
    });
    expect(response.status).toBe(400);
  });

  describe('answered with one receipt batch', () => {
    async function batchOf(to: string, envelopes: unknown[]) {
      const { status, body } = await deliver(f.node(to).url, envelopes, 'batch');
      expect(status).toBe(200);
      expect(body.result?.data.receipts).toBeUndefined();
      const jws = body.result?.data.receiptBatch as string;
      const r = await verifyAtTH(jws, 'receiptBatch', 'national');
      if (!r.ok) throw new Error(`receipt batch does not verify: ${r.error.code}`);
      return { jws, batch: r.message };
    }

    it('gives every envelope its verdict, in order, under one signature bound to the exact bytes', async () => {
      const good1 = await signedReferral('TH', 'KH', 11);
      const good2 = await signedReferral('TH', 'KH', 12);
      const [h, , sig] = good2.split('.');
      const forged = `${h}.${Buffer.from('{"not":"signed"}').toString('base64url')}.${sig}`;
      const { jws, batch } = await batchOf('KH', [good1, forged, 42, good2, good1]);
      expect(batch.from).toBe('KH');
      expect(batch.to).toBe('TH');
      expect(batch.receipts.map((r) => r.verdict)).toEqual(['accepted', 'rejected', 'rejected', 'accepted', 'accepted']);
      expect(batch.receipts.map((r) => r.code)).toEqual([undefined, 'ERR_SIGNATURE_INVALID', 'ERR_JWS_MALFORMED', undefined, undefined]);
      expect(batch.receipts[0]?.ref.digest).toBe(sha256Digest(good1));
      expect(batch.receipts[3]?.ref.digest).toBe(sha256Digest(good2));
      expect(batch.receipts[4]).toEqual(batch.receipts[0]);
      // Kept once; each stored message names its verdict in it.
      const kh = f.node('KH').ctx.db;
      const kept = await kh.selectFrom('receipt_batches').select('jws').where('digest', '=', sha256Digest(jws)).execute();
      expect(kept).toEqual([{ jws }]);
      const received = await kh.selectFrom('received').select('receipt').where('digest', '=', sha256Digest(good1)).executeTakeFirst();
      expect(received?.receipt).toBe(`batch:${sha256Digest(jws)}:0`);
    });

    it('answers a resend of the same bytes as accepted, in a batch or in a receipt of its own', async () => {
      const jws = await signedReferral('TH', 'KH', 13);
      const first = await batchOf('KH', [jws]);
      const again = await batchOf('KH', [jws]);
      expect(again.batch.receipts).toEqual(first.batch.receipts);
      const [own] = await receiptsOf('KH', [jws]);
      expect(own).toMatchObject({ verdict: 'accepted', to: 'TH', ref: first.batch.receipts[0]?.ref });
      // Kept from then on: the next resend gets the same bytes.
      const once = (await deliver(f.node('KH').url, [jws])).body.result?.data.receipts;
      const twice = (await deliver(f.node('KH').url, [jws])).body.result?.data.receipts;
      expect(twice).toEqual(once);
      expect((await verifyAudit(f.node('KH').ctx.db)).ok).toBe(true);
      const rows = await f.node('KH').ctx.db.selectFrom('received').select('message_id').where('digest', '=', sha256Digest(jws)).execute();
      expect(rows).toHaveLength(1);
    });

    it('audits the batch once, after the messages it answers, and the chain holds', async () => {
      const kh = f.node('KH');
      const last = await kh.ctx.db
        .selectFrom('audit')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .executeTakeFirst();
      const a = await signedReferral('TH', 'KH', 14);
      const b = await signedReferral('TH', 'KH', 15);
      const { jws } = await batchOf('KH', [a, b]);
      const tail = await kh.ctx.db
        .selectFrom('audit')
        .select(['kind', 'digest'])
        .where('seq', '>', Number(last?.seq ?? 0))
        .orderBy('seq')
        .execute();
      expect(tail).toEqual([
        { kind: 'received.referral', digest: sha256Digest(a) },
        { kind: 'received.referral', digest: sha256Digest(b) },
        { kind: 'sent.receipt-batch', digest: sha256Digest(jws) },
      ]);
      expect((await verifyAudit(kh.ctx.db)).ok).toBe(true);
    });

    it('is what a node asks for: the outbox keeps the batch and each copy names its verdict', async () => {
      const officer = await f.token(f.node('TH'), 'officer');
      const sent = await refer(f, f.node('TH'), officer, 'KH');
      const th = f.client(f.node('TH'), officer);
      const done = await f.until(async () => {
        const r = await th.bureau.referrals.get.query({ id: sent.id });
        return r.delivery.every((d) => d.state === 'delivered') ? r : null;
      });
      const row = await f
        .node('TH')
        .ctx.db.selectFrom('outbox')
        .innerJoin('referrals_out', 'referrals_out.id', 'outbox.message_id')
        .select(['referrals_out.jws', 'outbox.receipt'])
        .where('message_id', '=', sent.id)
        .where('peer', '=', 'KH')
        .executeTakeFirstOrThrow();
      expect(row.receipt).toMatch(/^batch:sha256:[0-9a-f]{64}:\d+$/);
      const delivery = done.delivery.find((d) => d.peer === 'KH') as { receipt: string; receiptIndex: number };
      const r = await verifyAtTH(delivery.receipt, 'receiptBatch', 'national');
      expect(r.ok && r.message.receipts[delivery.receiptIndex]).toMatchObject({
        verdict: 'accepted',
        ref: { id: sent.id, digest: sha256Digest(row.jws) },
      });
    });
  });

  it('delivers to a peer that was down once it returns', async () => {
    const officer = await f.token(f.node('TH'), 'officer');
    await f.node('VN').stop();
    const sent = await refer(f, f.node('TH'), officer, 'VN');
    const thClient = f.client(f.node('TH'), officer);
    await f.until(async () =>
      (await thClient.bureau.referrals.get.query({ id: sent.id })).delivery.some((d) => d.peer === 'VN' && d.state === 'retrying'),
    );
    // A delivery to the other peers is not held up by the dead one.
    await f.until(async () =>
      (await thClient.bureau.referrals.get.query({ id: sent.id })).delivery.some((d) => d.peer === 'LIAISON' && d.state === 'delivered'),
    );
    const vn = await f.restart('VN');
    const vnOfficer = await f.token(vn, 'officer');
    await f.until(async () => (await f.client(vn, vnOfficer).bureau.inbox.list.query()).some((r) => r.id === sent.id));
    const final = await f.until(async () => {
      const r = await thClient.bureau.referrals.get.query({ id: sent.id });
      return r.delivery.every((d) => d.state === 'delivered') ? r : null;
    });
    expect(final.delivery.find((d) => d.peer === 'VN')?.attempts).toBeGreaterThan(1);
  });
});
