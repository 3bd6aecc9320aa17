/**
 * A national node starts without its routing index (an idle node holds none of it) and builds it on
 * its first routing question: that question is answered, and so is the next, from the same index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestFederation, type TestFederation, testIndex } from '../src/testing/federation.js';

describe('routing on a node that started without its index', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await createTestFederation({ countries: ['TH', 'KH'], ownRouting: true });
  });
  afterAll(() => f.close());

  it('answers its first routing question and the next ones', async () => {
    const officer = f.client(f.node('TH'), await f.token(f.node('TH'), 'officer'));
    const [start] = testIndex().v4RangesOf('KH')[0] ?? [0];
    const ip = `${(start >>> 24) & 255}.${(start >>> 16) & 255}.${(start >>> 8) & 255}.${start & 255}`;
    expect(await officer.bureau.referrals.route.query({ ip })).toEqual({ ok: true, country: 'KH', ip });
    expect(await officer.bureau.referrals.route.query({ ip: '8.8.8.8' })).toEqual({ ok: true, country: 'US', ip: '8.8.8.8' });
    expect(f.node('TH').services.routing()).not.toBe(f.node('KH').services.routing());
  });
});
