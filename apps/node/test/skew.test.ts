import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../src/clock.js';
import { createTestFederation, type TestFederation } from '../src/testing/federation.js';
import { refer } from '../src/testing/fixtures.js';

describe('clock skew between countries', () => {
  let f: TestFederation;
  beforeAll(async () => {
    // VN's clock runs 200 s ahead (within the 300 s allowance); KH's runs 15 minutes ahead (beyond it).
    f = await createTestFederation({ countries: ['TH', 'VN', 'KH'], clocks: { VN: offsetClock(200_000), KH: offsetClock(900_000) } });
  });
  afterAll(() => f.close());

  it('accepts messages from a clock within the allowance', async () => {
    const vn = f.node('VN');
    const token = await f.token(vn, 'officer');
    const sent = await refer(f, vn, token, 'TH');
    const r = await f.until(async () => {
      const got = await f.client(vn, token).bureau.referrals.get.query({ id: sent.id });
      return got.delivery.find((d) => d.peer === 'TH' && d.state === 'delivered');
    });
    expect(r.state).toBe('delivered');
  });

  it('refuses a clock beyond it with ERR_IAT_FUTURE, and keeps retrying (the clocks may converge)', async () => {
    const kh = f.node('KH');
    const token = await f.token(kh, 'officer');
    const sent = await refer(f, kh, token, 'TH');
    const r = await f.until(async () => {
      const got = await f.client(kh, token).bureau.referrals.get.query({ id: sent.id });
      return got.delivery.find((d) => d.peer === 'TH' && String(d.lastError ?? '').includes('ERR_IAT_FUTURE'));
    });
    expect(r.state).toBe('retrying');
    const th = f.client(f.node('TH'), await f.token(f.node('TH'), 'officer'));
    expect((await th.bureau.inbox.list.query()).some((x) => x.id === sent.id)).toBe(false);
  });
});
