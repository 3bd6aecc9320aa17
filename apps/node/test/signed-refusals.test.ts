/**
 * Every refusal of bytes a member's key signed is audited at the recipient and its receipt addressed
 * to the key's owner (issue #17, defects 1 and 2; OPERATIONS.md §6, PROTOCOL.md §2.3): a member that
 * signs a referral carrying a victim's name leaves a trace. `to: null` is kept for bytes whose
 * signature did not hold.
 */
import { sign as edSign } from 'node:crypto';
import { type Receipt, uuidv7, verify } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../src/audit/audit-log.js';
import { createTestFederation, OPERATION, type TestFederation } from '../src/testing/federation.js';
import { CANARY, ipIn } from '../src/testing/fixtures.js';

describe('refusals of signed bytes', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'VN'] });
  });
  afterAll(() => f.close());

  const nowS = () => Math.floor(Date.now() / 1000);

  /** A referral TH's key signs over any payload text (as a member's faulty or hostile signer would). */
  function signedByTH(payload: Record<string, unknown> | string): string {
    const key = f.node('TH').ctx.keys.signingKey(nowS());
    const header = { alg: 'EdDSA', kid: key.kid, typ: 'firstlight-referral+jws' };
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(text).toString('base64url')}`;
    return `${input}.${edSign(null, Buffer.from(input), key.privateKey).toString('base64url')}`;
  }

  const referral = (over: Record<string, unknown> = {}) => ({
    v: 1,
    id: uuidv7(),
    from: 'TH',
    to: 'VN',
    iat: nowS(),
    exp: nowS() + 86_400,
    ip: ipIn(f, 'VN'),
    seenAt: '2015-06-01T10:00:00Z',
    evidence: [`sha256:${'ab'.repeat(32)}`],
    action: 'locate',
    urgency: 'routine',
    operation: OPERATION,
    ...over,
  });

  async function receiptAtVN(jws: string): Promise<Receipt> {
    const response = await fetch(`${f.node('VN').url}/trpc/federation.deliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ envelopes: [jws], answer: 'each' }),
    });
    const body = (await response.json()) as { result: { data: { receipts: string[] } } };
    const trust = f.node('TH').ctx.directory.current()?.trust;
    if (!trust) throw new Error('no directory');
    const checked = await verify(body.result.data.receipts[0], {
      type: 'receipt',
      keys: trust,
      recipient: 'TH',
      recipientRole: 'liaison',
      now: nowS(),
    });
    if (!checked.ok) throw new Error(checked.error.message);
    return checked.message;
  }

  const audited = async (ref: string) =>
    (await f.node('VN').ctx.db.selectFrom('audit').select(['kind', 'ref']).where('ref', '=', ref).execute()).map((r) => r.kind);

  const cases: Array<[string, () => { jws: string; id: string | null }, string]> = [
    [
      'a victim name in the referral (strict schema)',
      () => {
        const m = referral({ victimName: CANARY.name });
        return { jws: signedByTH(m), id: m.id };
      },
      'ERR_SCHEMA',
    ],
    [
      'an unroutable IP',
      () => {
        const m = referral({ ip: '10.1.2.3' });
        return { jws: signedByTH(m), id: m.id };
      },
      'ERR_IP_UNROUTABLE',
    ],
    [
      'version 2',
      () => {
        const m = referral({ v: 2 });
        return { jws: signedByTH(m), id: m.id };
      },
      'ERR_VERSION_UNSUPPORTED',
    ],
    ['a payload that is not JSON', () => ({ jws: signedByTH('referral from TH'), id: null }), 'ERR_PAYLOAD_MALFORMED'],
    [
      "another member's name in from",
      () => {
        const m = referral({ from: 'VN', to: 'TH' });
        return { jws: signedByTH(m), id: m.id };
      },
      'ERR_KEY_NOT_OWNER',
    ],
  ];

  for (const [what, make, code] of cases) {
    it(`audits ${code} (${what}) and addresses its receipt to the key's owner`, async () => {
      const { jws, id } = make();
      const receipt = await receiptAtVN(jws);
      expect(receipt).toMatchObject({ verdict: 'rejected', code, to: 'TH', ref: { id } });
      expect(await audited(`${id ?? '-'}@TH`)).toEqual([`received.rejected.${code}`, 'sent.receipt']);
    });
  }

  it('keeps to: null (and nothing audited) for bytes whose signature does not hold', async () => {
    const m = referral();
    const jws = signedByTH(m);
    const forged = `${jws.slice(0, jws.lastIndexOf('.') + 1)}${Buffer.alloc(64, 1).toString('base64url')}`;
    const receipt = await receiptAtVN(forged);
    expect(receipt).toMatchObject({ verdict: 'rejected', code: 'ERR_SIGNATURE_INVALID', to: null, ref: { id: null } });
    expect(await audited(`${m.id}@TH`)).toEqual([]);
    expect(await verifyAudit(f.node('VN').ctx.db)).toMatchObject({ ok: true });
  });
});
