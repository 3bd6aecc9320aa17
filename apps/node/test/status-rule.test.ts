/**
 * One status rule everywhere (issue #17, defect 5; PROTOCOL.md §2.2.1): states only move forward,
 * closed and declined are final, and a status's counts restate the totals while one without counts
 * leaves them. The sending node refuses to sign a status that breaks it; the origin and the liaison
 * office refuse one signed anyway (ERR_STATUS_ORDER); and the origin and the office always show the
 * same outcome for the same signed facts.
 */
import { type Outcome, signMessage, uuidv7 } from '@firstlight/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestFederation, OPERATION, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';
import { refusal } from './helpers/refusal.js';

const FOUR: Outcome = { suspectsIdentified: 5, arrests: 4, premisesSearched: 1, callCentresDismantled: 1 };
const ZERO: Outcome = { suspectsIdentified: 0, arrests: 0, premisesSearched: 0, callCentresDismantled: 0 };

describe('the status rule', () => {
  let f: TestFederation;
  const tokens = { th: '', vn: '', analyst: '' };
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'VN'] });
    tokens.th = await f.token(f.node('TH'), 'officer');
    tokens.vn = await f.token(f.node('VN'), 'officer');
    tokens.analyst = await f.token(f.liaison, 'analyst');
  });
  afterAll(() => f.close());

  const vn = () => f.client(f.node('VN'), tokens.vn).bureau.inbox;
  const th = () => f.client(f.node('TH'), tokens.th).bureau.referrals;

  /** A referral TH sent and VN holds. */
  async function received() {
    const { id } = await refer(f, f.node('TH'), tokens.th, 'VN');
    await f.until(async () => (await vn().list.query()).some((r) => r.id === id));
    return id;
  }

  /** Once the liaison office holds every status VN has signed: its headline. */
  const settled = async () => {
    const sent = await f.node('VN').ctx.db.selectFrom('statuses').select('id').where('direction', '=', 'out').execute();
    return liaisonHolds(sent.length);
  };

  /** The number of signed statuses the liaison office holds in all, once it holds `n`. */
  const liaisonHolds = (n: number) =>
    f.until(async () => {
      const o = await f.client(f.liaison, tokens.analyst).liaison.overview.query({ operation: OPERATION });
      return o.headline.statuses >= n ? o.headline : null;
    });

  it('refuses to sign a status that goes backwards or follows a final one, with ERR_STATUS_ORDER (409)', async () => {
    const id = await received();
    await vn().updateStatus.mutate({ referralId: id, state: 'action_taken', outcome: FOUR });
    const back = await refusal(vn().updateStatus.mutate({ referralId: id, state: 'acknowledged' }));
    expect(back).toMatchObject({ status: 409, code: 'ERR_STATUS_ORDER' });
    expect(back.message).toContain('acknowledged cannot follow it');
    await vn().updateStatus.mutate({ referralId: id, state: 'closed' });
    expect(await refusal(vn().updateStatus.mutate({ referralId: id, state: 'action_taken', outcome: FOUR }))).toMatchObject({
      code: 'ERR_STATUS_ORDER',
    });
  });

  it('keeps the totals on a status without counts, and takes explicit zeros, the same at the origin and the liaison office', async () => {
    const kept = await received();
    const zeroed = await received();
    const before = await settled();
    for (const id of [kept, zeroed]) await vn().updateStatus.mutate({ referralId: id, state: 'action_taken', outcome: FOUR });
    await vn().updateStatus.mutate({ referralId: kept, state: 'closed' });
    await vn().updateStatus.mutate({ referralId: zeroed, state: 'closed', outcome: ZERO });
    const after = await liaisonHolds(before.statuses + 4);
    await f.until(async () => (await th().get.query({ id: zeroed })).state === 'closed');
    await f.until(async () => (await th().get.query({ id: kept })).state === 'closed');
    // The origin: the closed-without-counts keeps 4 arrests; the closed-with-zeros says 0.
    expect((await th().get.query({ id: kept })).outcome).toEqual(FOUR);
    expect((await th().get.query({ id: zeroed })).outcome).toEqual(ZERO);
    // The office counts the same: 4 more arrests in all, not 8 and not 0.
    expect(after.arrests - before.arrests).toBe(4);
    // And the receiving side's own view agrees.
    expect((await vn().get.query({ id: kept })).outcome).toEqual(FOUR);
  });

  it('has the origin and the liaison office refuse a backwards status signed anyway (ERR_STATUS_ORDER), and show what they had', async () => {
    const id = await received();
    const base = await settled();
    await vn().updateStatus.mutate({ referralId: id, state: 'action_taken', outcome: FOUR });
    const start = await liaisonHolds(base.statuses + 1);
    await f.until(async () => (await th().get.query({ id })).state === 'action_taken');
    // VN's signer, bypassing its own node's check.
    const now = Math.floor(Date.now() / 1000) + 1;
    const key = f.node('VN').ctx.keys.signingKey(now);
    const jws = await signMessage(
      'status',
      { v: 1, id: uuidv7(), from: 'VN', to: 'TH', iat: now, referral: id, state: 'acknowledged' },
      key,
    );
    for (const node of [f.node('TH'), f.liaison]) {
      const response = await fetch(`${node.url}/trpc/federation.deliver`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ envelopes: [jws], answer: 'each' }),
      });
      const receipt = ((await response.json()) as { result: { data: { receipts: string[] } } }).result.data.receipts[0] ?? '';
      const payload = JSON.parse(Buffer.from(receipt.split('.')[1] ?? '', 'base64url').toString()) as { verdict: string; code?: string };
      expect(payload, node.ctx.config.party).toMatchObject({ verdict: 'rejected', code: 'ERR_STATUS_ORDER' });
    }
    const shown = await th().get.query({ id });
    expect(shown).toMatchObject({ state: 'action_taken', outcome: FOUR });
    const o = await f.client(f.liaison, tokens.analyst).liaison.overview.query({ operation: OPERATION });
    expect(o.headline.statuses).toBe(start.statuses);
    expect(o.headline.arrests).toBe(start.arrests);
  });
});
