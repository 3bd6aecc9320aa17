import type { Status } from '@firstlight/protocol';

/** A signed status as the `statuses` table keeps it: one this node sent ('out') or received ('in'). */
export function statusRow(m: Status, jws: string, direction: 'in' | 'out', now: number) {
  return {
    id: m.id,
    referral_id: m.referral,
    from_country: m.from,
    to_country: m.to,
    state: m.state,
    outcome: m.outcome ? JSON.stringify(m.outcome) : null,
    reason: m.reason ?? null,
    iat: m.iat,
    jws,
    direction,
    created_at: now,
  };
}
