// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignIn } from '../src/App';
import { describeError } from '../src/api';
import { format, STRINGS } from '../src/i18n';
import { describeDelivery, toDelivery } from '../src/outbox';
import { mergeRows } from '../src/referrals';

afterEach(cleanup);

/** Every string of a locale with its dotted path, e.g. ['inbox.dueIn', 'Due in {time}']. */
function entries(value: unknown, prefix = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[prefix, value]];
  if (typeof value !== 'object' || value === null) throw new Error(`${prefix} is not a string`);
  return Object.entries(value).flatMap(([k, v]) => entries(v, prefix ? `${prefix}.${k}` : k));
}
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** The only strings meant to read the same in Thai: the product's name and the abbreviation "IP". */
const SAME_IN_THAI = ['appName', 'referrals.columns.ip'];

describe('strings', () => {
  const en = new Map(entries(STRINGS.en));
  const th = new Map(entries(STRINGS.th));

  it('Thai has exactly the English strings, no more and no fewer', () => {
    expect([...th.keys()].sort()).toEqual([...en.keys()].sort());
  });

  it('Thai translates every string, except the few meant to stay the same', () => {
    const untranslated = [...en].filter(([k, v]) => th.get(k) === v && !SAME_IN_THAI.includes(k)).map(([k]) => k);
    expect(untranslated).toEqual([]);
    const notThai = [...th].filter(([k, v]) => !SAME_IN_THAI.includes(k) && !/[\u0E00-\u0E7F]/.test(v)).map(([k]) => k);
    expect(notThai).toEqual([]);
    for (const k of SAME_IN_THAI) expect(th.get(k), k).toBe(en.get(k));
  });

  it('Thai keeps every placeholder of the English string', () => {
    const mismatched = [...en].filter(([k, v]) => placeholders(v).join() !== placeholders(th.get(k) ?? '').join()).map(([k]) => k);
    expect(mismatched).toEqual([]);
    expect(format(STRINGS.th.inbox.dueIn, { time: '3h' })).toBe('ครบกำหนดในอีก 3h');
    expect(format('Due in {time}', { time: '3h' })).toBe('Due in 3h');
  });

  it('name every value of the protocol enumerations the console shows', async () => {
    const c = await import('../src/constants');
    expect(Object.keys(STRINGS.en.actions).sort()).toEqual([...c.ACTIONS].sort());
    expect(Object.keys(STRINGS.en.urgencies).sort()).toEqual([...c.URGENCIES].sort());
    expect(Object.keys(STRINGS.en.reasons).sort()).toEqual([...c.DECLINE_REASONS].sort());
    expect(Object.keys(STRINGS.en.scams).sort()).toEqual([...c.SCAM_TYPES].sort());
    expect(
      Object.keys(STRINGS.en.states)
        .filter((s) => s !== 'received')
        .sort(),
    ).toEqual([...c.REFERRAL_STATES].sort());
  });
});

describe('errors', () => {
  it('become words a person can act on, never raw JSON', () => {
    const unauthorized = new TRPCClientError('a valid operator token is required', {
      result: { error: { message: 'x', code: -32001, data: { firstlightCode: 'ERR_UNAUTHORIZED' } } },
    } as never);
    expect(describeError(unauthorized, STRINGS.en)).toBe(STRINGS.en.errors.ERR_UNAUTHORIZED);
    expect(describeError(new TypeError('fetch failed'), STRINGS.en)).toBe(STRINGS.en.errors.network);
    expect(describeError({ weird: true }, STRINGS.en)).not.toContain('{');
  });
});

describe('sign-in', () => {
  it('submits the token and shows a refusal as a sentence', () => {
    const onToken = vi.fn();
    const refused = new TRPCClientError('x', {
      result: { error: { message: 'x', code: -32001, data: { firstlightCode: 'ERR_UNAUTHORIZED' } } },
    } as never);
    render(<SignIn t={STRINGS.en} onToken={onToken} error={refused} />);
    expect(screen.getByRole('alert').textContent).toBe(STRINGS.en.errors.ERR_UNAUTHORIZED);
    fireEvent.change(screen.getByLabelText(STRINGS.en.tokenLabel), { target: { value: '  flt_abc  ' } });
    fireEvent.click(screen.getByRole('button', { name: STRINGS.en.signIn }));
    expect(onToken).toHaveBeenCalledWith('flt_abc');
  });

  it('speaks Thai', () => {
    render(<SignIn t={STRINGS.th} onToken={() => undefined} error={null} />);
    expect(screen.getByRole('button', { name: 'เข้าสู่ระบบ' })).toBeTruthy();
  });
});

describe('constants', () => {
  it('match the protocol', async () => {
    const protocol = await import('@firstlight/protocol');
    const c = await import('../src/constants');
    expect(c.ACTIONS).toEqual(protocol.ACTIONS);
    expect(c.URGENCIES).toEqual(protocol.URGENCIES);
    expect(c.STATUS_STATES).toEqual(protocol.STATUS_STATES);
    expect(c.DECLINE_REASONS).toEqual(protocol.DECLINE_REASONS);
  });
});

describe('outbox deliveries', () => {
  const now = 1_700_000_000_000;
  it('say the receipt, the next attempt and the last error', () => {
    const en = STRINGS.en;
    const accepted = describeDelivery(toDelivery({ peer: 'KH', state: 'delivered', attempts: 1, deliveredAt: now }), en, now);
    expect(accepted.state).toBe('delivered');
    expect(accepted.details).toEqual(['receipt: accepted 2023-11-14 22:13 UTC']);
    const rejected = describeDelivery(toDelivery({ peer: 'KH', state: 'rejected', rejectedCode: 'ERR_EXPIRED', attempts: 1 }), en, now);
    expect(rejected.details).toEqual(['receipt: rejected with ERR_EXPIRED']);
    const retrying = describeDelivery(
      toDelivery({ peer: 'KH', state: 'retrying', attempts: 3, nextAttemptAt: now + 65_000, lastError: 'connect ECONNREFUSED' }),
      en,
      now,
    );
    expect(retrying.state).toBe('retrying (attempt 3)');
    expect(retrying.details).toEqual(['no receipt yet', 'next attempt in 0h 01m 05s', 'last error: connect ECONNREFUSED']);
    const dead = describeDelivery(
      toDelivery({ peer: 'KH', state: 'dead', attempts: 40, nextAttemptAt: null, lastError: 'timeout' }),
      en,
      now,
    );
    expect(dead.state).toBe('dead-lettered after 40 attempts');
    expect(dead.details).toEqual(['no receipt yet', 'last error: timeout']);
    expect(describeDelivery(toDelivery({ peer: 'KH', state: 'dead', attempts: 2 }), STRINGS.th, now).state).toContain('2 ครั้ง');
  });
});

describe('referral pages', () => {
  const row = (id: string, state = 'sent') => ({
    id,
    from: 'TH',
    to: 'KH',
    ip: '1.2.3.4',
    action: 'locate',
    urgency: 'urgent',
    state,
    iat: 1,
  });
  it('merge the live head over loaded pages, each referral once, newest first', () => {
    const merged = mergeRows(
      [row('c'), row('b', 'located')],
      [
        [row('b'), row('a')],
        [row('a'), row('z')],
      ],
    );
    expect(merged.map((r) => r.id)).toEqual(['c', 'b', 'a', 'z']);
    expect(merged[1]?.state).toBe('located');
  });
});
