/**
 * The protocol's enumerations, as the console shows them: from the protocol's dependency-free enums
 * export (`@firstlight/protocol/enums`), so the browser bundle carries no zod and nothing can drift.
 */
import { STATUS_STATES } from '@firstlight/protocol/enums';

export { ACTIONS, DECLINE_REASONS, STATUS_STATES, URGENCIES } from '@firstlight/protocol/enums';
export const REFERRAL_STATES = ['sent', ...STATUS_STATES] as const;
/** A received referral's states: it arrives as received, then moves through the statuses. */
export const REFERRAL_IN_STATES = ['received', ...STATUS_STATES] as const;
export const SCAM_TYPES = ['fake_courier', 'fake_police', 'fake_arrest_warrant', 'investment', 'romance', 'tech_support', 'other'] as const;
