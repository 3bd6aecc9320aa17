import { describe, expect, it } from 'vitest';
import { sha256Digest } from './encoding.js';
import { MAX_MESSAGE_BYTES } from './jws.js';
import { MAX_BATCH, type ReceiptBatch } from './messages/receipt.js';
import { signBytes, signMessage } from './sign.js';
import { directory, kh, NOW, th } from './test-federation.js';
import { createTrustStore } from './trust-store.js';
import { uuidv7 } from './uuid.js';
import { verify } from './verify.js';

const keys = createTrustStore(directory());
const atTH = { type: 'receiptBatch' as const, keys, recipient: 'TH', recipientRole: 'national' as const, now: NOW };

const verdict = (n: number, over: Partial<ReceiptBatch['receipts'][number]> = {}) => ({
  ref: { id: uuidv7(NOW * 1000 + n), digest: sha256Digest(`envelope ${n}`) },
  verdict: 'accepted' as const,
  ...over,
});
const batch = (over: Partial<ReceiptBatch> = {}): ReceiptBatch => ({
  v: 1,
  id: uuidv7(NOW * 1000),
  from: 'KH',
  to: 'TH',
  iat: NOW,
  receipts: [
    verdict(1),
    verdict(2, { verdict: 'rejected', code: 'ERR_REPLAY' }),
    verdict(3, { ref: { id: null, digest: sha256Digest('x') }, verdict: 'rejected', code: 'ERR_JWS_MALFORMED' }),
  ],
  ...over,
});

describe('receipt batch', () => {
  it('round-trips: one signature, every verdict in order', async () => {
    const jws = await signMessage('receiptBatch', batch(), kh);
    const r = await verify(jws, atTH);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.message.receipts.map((x) => x.verdict)).toEqual(['accepted', 'rejected', 'rejected']);
  });

  it('a full batch of 500 verdicts is larger than a message may be, and still verifies', async () => {
    const receipts = Array.from({ length: MAX_BATCH }, (_, i) => verdict(i, { verdict: 'rejected', code: 'ERR_SIGNATURE_INVALID' }));
    const jws = await signMessage('receiptBatch', batch({ receipts }), kh);
    expect(jws.length).toBeGreaterThan(MAX_MESSAGE_BYTES);
    const r = await verify(jws, atTH);
    expect(r.ok).toBe(true);
  });

  it('refuses more than 500 verdicts, none, a rejection without code and an acceptance with one', async () => {
    const cases: ReceiptBatch['receipts'][] = [
      Array.from({ length: MAX_BATCH + 1 }, (_, i) => verdict(i)),
      [],
      [verdict(1, { verdict: 'rejected' })],
      [verdict(1, { code: 'ERR_REPLAY' })],
    ];
    for (const receipts of cases) {
      const bytes = new TextEncoder().encode(JSON.stringify(batch({ receipts })));
      const r = await verify(await signBytes('firstlight-receipt-batch+jws', bytes, kh), atTH);
      expect(r.ok ? 'ok' : r.error.code).toBe('ERR_SCHEMA');
    }
    await expect(signMessage('receiptBatch', batch({ receipts: [] }), kh)).rejects.toMatchObject({ code: 'ERR_SCHEMA' });
  });

  it('refuses unknown members, at the top and in a verdict', async () => {
    for (const payload of [
      { ...batch(), extra: 1 },
      { ...batch(), receipts: [{ ...verdict(1), victim: 'Somchai' }] },
    ]) {
      const r = await verify(await signBytes('firstlight-receipt-batch+jws', new TextEncoder().encode(JSON.stringify(payload)), kh), atTH);
      expect(r.ok ? 'ok' : r.error.code).toBe('ERR_SCHEMA');
    }
  });

  it('is taken when addressed to nobody, refused when addressed to another country', async () => {
    expect((await verify(await signMessage('receiptBatch', batch({ to: null }), kh), atTH)).ok).toBe(true);
    const other = await verify(await signMessage('receiptBatch', batch({ to: 'KH', from: 'TH' }), th), atTH);
    expect(other.ok ? 'ok' : other.error.code).toBe('ERR_WRONG_RECIPIENT');
  });

  it('is not a receipt, nor a receipt a batch (typ binds the type)', async () => {
    const asReceipt = await verify(await signMessage('receiptBatch', batch(), kh), { ...atTH, type: 'receipt' as const });
    expect(asReceipt.ok ? 'ok' : asReceipt.error.code).toBe('ERR_JWS_TYP');
  });
});
