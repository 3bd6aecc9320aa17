/**
 * The protocol's enumerations and the status rule, with no dependency at all (no zod, no node:), so a
 * browser bundle, the CLI and the simulation take them from here rather than keep copies: a new action,
 * urgency or state is added once and everything that lists or checks them follows (`@firstlight/protocol/enums`).
 * The wire schemas (messages/*.ts) build on these; nothing here validates a message by itself.
 */

export const ACTIONS = ['locate', 'preserve', 'identify_subscriber', 'search_premises', 'arrest', 'takedown'] as const;
export type Action = (typeof ACTIONS)[number];

export const URGENCIES = ['routine', 'urgent', 'emergency'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const STATUS_STATES = ['acknowledged', 'in_progress', 'located', 'action_taken', 'declined', 'closed'] as const;
export type StatusState = (typeof STATUS_STATES)[number];

/** The states whose status may carry outcome counts. */
export const OUTCOME_STATES = ['located', 'action_taken', 'closed'] as const satisfies readonly StatusState[];

export const DECLINE_REASONS = [
  'insufficient_evidence',
  'not_in_jurisdiction',
  'ip_not_traceable',
  'data_retention_expired',
  'legal_obstacle',
  'duplicate',
  'other',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

/**
 * What is wrong with a status's state, reason and outcome together (PROTOCOL.md §2.2), in order; empty
 * when nothing is. A declined status gives a reason and only a declined one does; outcome counts go
 * with OUTCOME_STATES. The one statement of the rule: the status schema and the bureau's status updates
 * both ask it.
 */
export function statusRuleProblems(s: { state: StatusState; reason?: unknown; outcome?: unknown }): Array<{
  path: 'reason' | 'outcome';
  message: string;
}> {
  const problems: Array<{ path: 'reason' | 'outcome'; message: string }> = [];
  if (s.state === 'declined' && s.reason === undefined)
    problems.push({ path: 'reason', message: 'a declined status must give a reason code' });
  if (s.state !== 'declined' && s.reason !== undefined)
    problems.push({ path: 'reason', message: 'only a declined status carries a reason' });
  if (s.outcome !== undefined && !(OUTCOME_STATES as readonly string[]).includes(s.state))
    problems.push({ path: 'outcome', message: 'outcome counts apply to located, action_taken and closed' });
  return problems;
}
