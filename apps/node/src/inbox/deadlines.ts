/** How long the receiving country has to act on a referral, by urgency. */
export const DEADLINE_MS: Record<string, number> = {
  emergency: 24 * 3600_000,
  urgent: 3 * 24 * 3600_000,
  routine: 30 * 24 * 3600_000,
};

export function deadlineFor(urgency: string, receivedAt: number): number {
  return receivedAt + (DEADLINE_MS[urgency] ?? DEADLINE_MS.routine ?? 0);
}
