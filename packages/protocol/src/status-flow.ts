/**
 * How a referral's statuses follow one another (PROTOCOL.md §2.2.1), the one rule the sending node,
 * the origin and the liaison office all apply, so that no two of them can disagree about the same
 * signed facts:
 * - states only move forward: acknowledged → in_progress → located → action_taken → closed, any step
 *   may be skipped; `declined` ends a case not yet acted on (up to located); `closed` and `declined`
 *   are final;
 * - `located` and `action_taken` may be repeated, to restate the counts;
 * - a status's `outcome` restates the totals: the latest status carrying an outcome is the referral's
 *   outcome everywhere; a status without one leaves the totals as they were.
 * Order is judged by `iat`; two statuses with the same `iat` are not ordered by this rule.
 * Zod-free: any implementation (and the console) can import it.
 */
import type { StatusState } from './enums.js';
import type { Outcome, Status } from './messages/status.js';

export type { StatusState };

const RANK: Record<StatusState, number> = {
  acknowledged: 1,
  in_progress: 2,
  located: 3,
  action_taken: 4,
  closed: 5,
  declined: 5,
};
const FINAL = new Set<StatusState>(['closed', 'declined']);
const REPEATABLE = new Set<StatusState>(['located', 'action_taken']);
/** A case can be declined until action is taken (after that it is closed). */
const LAST_DECLINABLE = RANK.located;

/** Whether `next` may follow `prev` (null: no status yet). */
export function mayFollow(prev: StatusState | null, next: StatusState): boolean {
  if (prev === null) return true;
  if (FINAL.has(prev)) return false;
  if (next === 'declined') return RANK[prev] <= LAST_DECLINABLE;
  if (next === prev) return REPEATABLE.has(next);
  return RANK[next] > RANK[prev];
}

/** The statuses that may be signed next after `prev`, in the order a case moves. Empty when final. */
export function nextStates(prev: StatusState | null): StatusState[] {
  return (['acknowledged', 'in_progress', 'located', 'action_taken', 'closed', 'declined'] as const).filter((s) => mayFollow(prev, s));
}

/**
 * Why `status` cannot take its place among the statuses already held for the same referral from the
 * same sender (`held`, any order), or null when it can: the latest held before it (by iat) must allow
 * it, and it must allow the earliest held after it. Statuses with its own iat are not compared.
 */
export function statusOrderProblem(
  held: ReadonlyArray<Pick<Status, 'state' | 'iat'>>,
  status: Pick<Status, 'state' | 'iat'>,
): string | null {
  let before: Pick<Status, 'state' | 'iat'> | null = null;
  let after: Pick<Status, 'state' | 'iat'> | null = null;
  for (const h of held) {
    if (h.iat < status.iat && (before === null || h.iat > before.iat)) before = h;
    if (h.iat > status.iat && (after === null || h.iat < after.iat)) after = h;
  }
  if (before && !mayFollow(before.state, status.state))
    return FINAL.has(before.state)
      ? `the referral was already ${before.state} (a final state) by a status of iat ${before.iat}`
      : `${status.state} cannot follow ${before.state} (states only move forward; declined only before action is taken)`;
  if (after && !mayFollow(status.state, after.state))
    return `${status.state} at iat ${status.iat} cannot come before ${after.state} at iat ${after.iat}, which is already held`;
  return null;
}

/** The totals after `status`: its outcome restates them; without one, they stay as they were. */
export function outcomeAfter(previous: Outcome | null, status: Pick<Status, 'outcome'>): Outcome | null {
  return status.outcome ?? previous;
}
