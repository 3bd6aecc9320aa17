/**
 * A signed status as the `statuses` table keeps it. The columns come from one function, which both the
 * writers (sending, receiving) and the deep check (audit/deep-check.ts) use, so a row is judged by the
 * same rule that wrote it. It never reads or writes the database itself.
 */
import type { Status } from '@firstlight/protocol';

/** The columns of a `statuses` row that its signed status decides. */
export function statusColumns(m: Status) {
  return {
    referral_id: m.referral,
    from_country: m.from,
    to_country: m.to,
    state: m.state,
    outcome: m.outcome ? JSON.stringify(m.outcome) : null,
    reason: m.reason ?? null,
    iat: m.iat,
  };
}

/** A signed status as the `statuses` table keeps it: one this node sent ('out') or received ('in'). */
export function statusRow(m: Status, jws: string, direction: 'in' | 'out', now: number) {
  return { id: m.id, ...statusColumns(m), jws, direction, created_at: now };
}
