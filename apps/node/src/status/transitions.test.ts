import { describe, expect, it } from 'vitest';
import { nextStates } from './transitions.js';

describe('the statuses a bureau may sign next', () => {
  it('moves only forward, declining until action is taken', () => {
    expect(nextStates('received')).toEqual(['acknowledged', 'in_progress', 'located', 'action_taken', 'closed', 'declined']);
    // located and action_taken may be signed again, to restate the counts.
    expect(nextStates('located')).toEqual(['located', 'action_taken', 'closed', 'declined']);
    expect(nextStates('action_taken')).toEqual(['action_taken', 'closed']);
  });
  it('offers nothing once a case is closed or declined', () => {
    expect(nextStates('closed')).toEqual([]);
    expect(nextStates('declined')).toEqual([]);
    expect(nextStates('nonsense')).toEqual([]);
  });
});
