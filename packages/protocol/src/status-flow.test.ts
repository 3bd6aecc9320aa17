import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mayFollow, nextStates, outcomeAfter, type StatusState, statusOrderProblem } from './status-flow.js';

describe('status order (PROTOCOL.md §2.2.1)', () => {
  it('moves forward only, with steps skipped; closed and declined are final', () => {
    expect(mayFollow(null, 'action_taken')).toBe(true);
    expect(mayFollow('acknowledged', 'located')).toBe(true);
    expect(mayFollow('action_taken', 'acknowledged')).toBe(false);
    expect(mayFollow('located', 'in_progress')).toBe(false);
    expect(mayFollow('closed', 'action_taken')).toBe(false);
    expect(mayFollow('declined', 'acknowledged')).toBe(false);
    expect(mayFollow('closed', 'closed')).toBe(false);
  });

  it('declines only before action is taken, and repeats only located and action_taken (to restate counts)', () => {
    expect(mayFollow('located', 'declined')).toBe(true);
    expect(mayFollow('action_taken', 'declined')).toBe(false);
    expect(mayFollow('action_taken', 'action_taken')).toBe(true);
    expect(mayFollow('located', 'located')).toBe(true);
    expect(mayFollow('acknowledged', 'acknowledged')).toBe(false);
    expect(nextStates('action_taken')).toEqual(['action_taken', 'closed']);
    expect(nextStates('closed')).toEqual([]);
    expect(nextStates(null)).toHaveLength(6);
  });

  it('judges a status among those held by iat, whatever order they arrived in', () => {
    const held = [
      { state: 'acknowledged' as const, iat: 10 },
      { state: 'action_taken' as const, iat: 30 },
    ];
    expect(statusOrderProblem(held, { state: 'located', iat: 20 })).toBeNull();
    expect(statusOrderProblem(held, { state: 'acknowledged', iat: 40 })).toMatch(/cannot follow action_taken/);
    expect(statusOrderProblem(held, { state: 'closed', iat: 20 })).toMatch(/cannot come before action_taken/);
    expect(statusOrderProblem([{ state: 'closed', iat: 5 }], { state: 'located', iat: 6 })).toMatch(/final/);
    // Same iat as action_taken: not ordered against it (only against the earlier acknowledged).
    expect(statusOrderProblem(held, { state: 'located', iat: 30 })).toBeNull();
  });

  it('takes the latest outcome as the totals, and keeps them when a status carries none', () => {
    const four = { suspectsIdentified: 5, arrests: 4, premisesSearched: 1, callCentresDismantled: 1 };
    expect(outcomeAfter(four, {})).toEqual(four);
    const zero = { suspectsIdentified: 0, arrests: 0, premisesSearched: 0, callCentresDismantled: 0 };
    expect(outcomeAfter(four, { outcome: zero })).toEqual(zero);
    expect(outcomeAfter(null, {})).toBeNull();
  });
});

describe('status order vectors (vectors/status-order.json)', () => {
  const file = JSON.parse(readFileSync(new URL('../vectors/status-order.json', import.meta.url), 'utf8')) as {
    vectors: Array<{
      name: string;
      held: Array<{ state: StatusState; iat: number }>;
      status: { state: StatusState; iat: number };
      expect: string;
    }>;
  };
  it.each(file.vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(statusOrderProblem(v.held, v.status) === null ? 'ok' : 'ERR_STATUS_ORDER').toBe(v.expect);
  });
});
