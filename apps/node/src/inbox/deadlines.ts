/** How long the receiving country has to act on a referral, by urgency (every urgency has one: the compiler checks). */
import type { Urgency } from '@firstlight/protocol/enums';

export const DEADLINE_MS: Record<Urgency, number> = {
  emergency: 24 * 3600_000,
  urgent: 3 * 24 * 3600_000,
  routine: 30 * 24 * 3600_000,
};

export function deadlineFor(urgency: Urgency, receivedAt: number): number {
  return receivedAt + DEADLINE_MS[urgency];
}
