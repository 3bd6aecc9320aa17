/**
 * The protocol's enumerations, as the console shows them. Kept here (not imported from the protocol
 * package) so the browser bundle carries no zod; test/components.test.tsx fails if they drift.
 */
export const ACTIONS = ['locate', 'preserve', 'identify_subscriber', 'search_premises', 'arrest', 'takedown'] as const;
export const URGENCIES = ['routine', 'urgent', 'emergency'] as const;
export const STATUS_STATES = ['acknowledged', 'in_progress', 'located', 'action_taken', 'declined', 'closed'] as const;
export const REFERRAL_STATES = ['sent', ...STATUS_STATES] as const;
/** A received referral's states: it arrives as received, then moves through the statuses. */
export const REFERRAL_IN_STATES = ['received', ...STATUS_STATES] as const;
export const DECLINE_REASONS = [
  'insufficient_evidence',
  'not_in_jurisdiction',
  'ip_not_traceable',
  'data_retention_expired',
  'legal_obstacle',
  'duplicate',
  'other',
] as const;
export const SCAM_TYPES = ['fake_courier', 'fake_police', 'fake_arrest_warrant', 'investment', 'romance', 'tech_support', 'other'] as const;
