// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignIn } from '../src/App';
import { describeError } from '../src/api';
import { format, STRINGS } from '../src/i18n';

afterEach(cleanup);

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('strings', () => {
  it('every locale has every string, and placeholders match', () => {
    const en = keys(STRINGS.en).sort();
    expect(keys(STRINGS.th).sort()).toEqual(en);
    expect(STRINGS.th.intake.notice).not.toBe(STRINGS.en.intake.notice);
    expect(format('Due in {time}', { time: '3h' })).toBe('Due in 3h');
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
