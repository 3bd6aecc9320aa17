// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import interpol196 from '../../sim/data/first-light-interpol-196.json';
import { SignIn } from '../src/App';
import { describeDelivery, toDelivery } from '../src/components/Deliveries';
import { countProblem } from '../src/components/NumberField';
import { ipShapeOk } from '../src/components/ReferForm';
import { fillBuckets } from '../src/components/Timeline';
import { describeError } from '../src/lib/errors';
import { formatter } from '../src/lib/format';
import { format, STRINGS } from '../src/lib/i18n';
import { href, parseHash } from '../src/lib/router';
import { groupHistory } from '../src/pages/history';
import { mergeRows } from '../src/pages/referrals';

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
    const c = await import('../src/lib/constants');
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
    expect(describeError(unauthorized, STRINGS.en)).toBe(STRINGS.en.errors.codes.ERR_UNAUTHORIZED);
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
    expect(screen.getByRole('alert').textContent).toBe(STRINGS.en.errors.codes.ERR_UNAUTHORIZED);
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
    const c = await import('../src/lib/constants');
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
    expect(accepted.details).toEqual(['receipt: accepted 2023-11-14T22:13:20.000Z']);
    const rejected = describeDelivery(toDelivery({ peer: 'KH', state: 'rejected', rejectedCode: 'ERR_EXPIRED', attempts: 1 }), en, now);
    expect(rejected.details).toEqual(['receipt: rejected with ERR_EXPIRED (the message had expired)']);
    const unknownCode = describeDelivery(toDelivery({ peer: 'KH', state: 'rejected', rejectedCode: 'ERR_NEW_ONE', attempts: 1 }), en, now);
    expect(unknownCode.details).toEqual(['receipt: rejected with ERR_NEW_ONE']);
    // A code the console knows is said in words too.
    const revoked = describeDelivery(toDelivery({ peer: 'KH', state: 'rejected', rejectedCode: 'ERR_KEY_REVOKED', attempts: 1 }), en, now);
    expect(revoked.details).toEqual(['receipt: rejected with ERR_KEY_REVOKED (the signing key was revoked)']);
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

describe('every page', () => {
  it("writes numbers with separators, dates in the reader's language and countries by name", () => {
    const en = formatter('en');
    const th = formatter('th');
    expect(en.number(1234567)).toBe('1,234,567');
    expect(th.number(1234567)).toBe('1,234,567');
    expect(en.country('KH')).toBe('Cambodia');
    expect(th.country('KH')).toBe('กัมพูชา');
    expect(en.country('XX')).toBe('XX');
    expect(en.time(0)).toMatch(/1970/);
    expect(th.time(0)).toMatch(/2513/);
    expect(en.money(250000, 'THB')).toContain('250,000');
  });

  it('have words for every error code the node and the protocol can answer', async () => {
    const { NODE_ERROR_CODES } = await import('../../node/src/errors');
    const { errorCodes } = await import('@firstlight/protocol');
    const missing = [...NODE_ERROR_CODES, ...errorCodes].filter((code) => !(code in STRINGS.en.errors.codes));
    expect(missing).toEqual([]);
  });

  it("say a server error code in the reader's language, with the node's detail", () => {
    const conflict = new TRPCClientError('referral r is closed', {
      result: { error: { message: 'x', code: -32009, data: { firstlightCode: 'ERR_CONFLICT' } } },
    } as never);
    expect(describeError(conflict, STRINGS.th)).toBe(`${STRINGS.th.errors.codes.ERR_CONFLICT} โหนดแจ้งว่า: referral r is closed`);
  });
});

describe('the URL', () => {
  it('holds the page, the case and the filters', () => {
    expect(parseHash('#/received/0190-ab')).toMatchObject({ page: 'received', arg: '0190-ab' });
    const r = parseHash('#/inbox?state=received&overdue=1');
    expect(r.page).toBe('inbox');
    expect(r.arg).toBeNull();
    expect(r.params.get('state')).toBe('received');
    expect(href('inbox', null, { state: 'located', from: '', overdue: '1' })).toBe('#/inbox?state=located&overdue=1');
    expect(parseHash(href('complaint', 'a/b'))).toMatchObject({ page: 'complaint', arg: 'a/b' });
  });
});

describe('forms', () => {
  it('say what is wrong with a count or an IP as it is typed', () => {
    const t = STRINGS.en;
    expect(countProblem('abc', 0, 100000, t)).toBe(t.forms.wholeNumber);
    expect(countProblem('', 0, 100000, t)).toBe(t.forms.required);
    expect(countProblem('100001', 0, 100000, t)).toBe('Between 0 and 100000.');
    expect(countProblem('7', 0, 100000, t)).toBeNull();
    expect(ipShapeOk('abc')).toBe(false);
    expect(ipShapeOk('203.0.113.300')).toBe(false);
    expect(ipShapeOk('203.0.113.7')).toBe(true);
    expect(ipShapeOk('2001:db8::1')).toBe(true);
  });
});

describe('the liaison views', () => {
  it('lay the timeline out at one scale, empty buckets included', () => {
    const b = (at: number, referrals: number) => ({ at, size: 60, referrals, statuses: 0, arrests: 0 });
    expect(fillBuckets([b(120, 1), b(300, 2)]).map((x) => [x.at, x.referrals])).toEqual([
      [120, 1],
      [180, 0],
      [240, 0],
      [300, 2],
    ]);
  });

  it('group each signed message with the receipts that answered it', () => {
    const e = (type: 'referral' | 'status' | 'receipt', ref: string, digest: string) => ({
      type,
      ref,
      digest,
      at: 1,
      signer: 'KH',
      kid: 'k',
      message: {},
    });
    const groups = groupHistory([
      e('referral', 'r', 'd1'),
      e('receipt', 'r', 'd2'),
      e('status', 's', 'd3'),
      e('receipt', 's', 'd4'),
      e('receipt', 'r', 'd5'),
    ]);
    expect(groups.map((g) => [g.event.digest, g.receipts.map((r) => r.digest)])).toEqual([
      ['d1', ['d2', 'd5']],
      ['d3', ['d4']],
    ]);
  });
});

describe('the world map', () => {
  it('places every INTERPOL member of the 196-country replay, with a shape or a capital', async () => {
    const { default: WorldMap } = await import('../src/components/WorldMap');
    const codes = interpol196.countries.map((c) => c.code);
    const flows = codes.filter((c) => c !== 'TH').map((from) => ({ from, to: 'TH', count: 1 }));
    const words = {
      label: 'map',
      legendTitle: '',
      legendArrow: '',
      legendCount: String,
      shown: null,
      zoomIn: '+',
      zoomOut: '-',
      fit: 'fit',
    };
    const { container } = render(
      <WorldMap flows={flows} selected={null} onSelect={() => {}} linkFor={() => '#'} name={(c) => c} words={words} />,
    );
    const placed = [...container.querySelectorAll('[data-place]')].map((e) => e.getAttribute('data-place'));
    expect(placed.sort()).toEqual([...codes].sort());
  });
});
