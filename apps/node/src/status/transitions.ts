/**
 * Which status a bureau may sign next on a referral it received: states only move forward
 * (received → acknowledged → in_progress → located → action_taken → closed), a decline ends any case
 * not yet acted on, and closed and declined are final. The console offers exactly these actions; the
 * hardening of the receiving side (issue #17) is meant to enforce the same table.
 */
import type { STATUS_STATES } from '@firstlight/protocol';

type StatusState = (typeof STATUS_STATES)[number];

const FORWARD = ['received', 'acknowledged', 'in_progress', 'located', 'action_taken', 'closed'] as const;
/** States from which a bureau may still decline (after action was taken it closes instead). */
const DECLINABLE = new Set(['received', 'acknowledged', 'in_progress', 'located']);

/** The statuses a bureau may sign next from `state`, in the order a case moves. Empty when the case is final. */
export function nextStates(state: string): StatusState[] {
  const at = FORWARD.indexOf(state as (typeof FORWARD)[number]);
  if (at < 0) return [];
  const forward = FORWARD.slice(at + 1) as StatusState[];
  return DECLINABLE.has(state) ? [...forward, 'declined'] : forward;
}
