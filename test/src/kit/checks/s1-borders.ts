/**
 * PROTOCOL.md §1, what crosses a border: every schema is strict, so a member the protocol does not list
 * (a victim's name, here) is refused. Nothing personal has a field; a node that takes one would let it
 * cross.
 */
import type { Check } from '../catalogue.js';
import { signedReferral } from '../referrals.js';

export const borderChecks: Check[] = [
  {
    id: 'personal-field',
    section: '§1',
    title: 'a personal field in the payload (ERR_SCHEMA)',
    run: (ctx) => ctx.probe.single(signedReferral(ctx.countries[0], ctx.target.country, { over: { victimName: 'Somchai' } }), 'ERR_SCHEMA'),
  },
];
