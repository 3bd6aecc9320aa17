/** The status: how a referral is progressing in the country that received it. Counts, never names. */
import { z } from 'zod';
import { countryCode, messageId, numericDate, version } from './common.js';

export const STATUS_STATES = ['acknowledged', 'in_progress', 'located', 'action_taken', 'declined', 'closed'] as const;

export const DECLINE_REASONS = [
  'insufficient_evidence',
  'not_in_jurisdiction',
  'ip_not_traceable',
  'data_retention_expired',
  'legal_obstacle',
  'duplicate',
  'other',
] as const;

const count = z.int().min(0).max(100_000);

export const outcomeSchema = z.strictObject({
  suspectsIdentified: count,
  arrests: count,
  premisesSearched: count,
  callCentresDismantled: count,
});

export const statusSchema = z
  .strictObject({
    v: version,
    id: messageId,
    from: countryCode,
    to: countryCode,
    iat: numericDate,
    referral: messageId,
    state: z.enum(STATUS_STATES),
    outcome: outcomeSchema.optional(),
    reason: z.enum(DECLINE_REASONS).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.from === m.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must differ from "from"' });
    if (m.state === 'declined' && m.reason === undefined)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a declined status must give a reason code' });
    if (m.state !== 'declined' && m.reason !== undefined)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'only a declined status carries a reason' });
    if (m.outcome !== undefined && !['located', 'action_taken', 'closed'].includes(m.state))
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'outcome counts apply to located, action_taken and closed' });
  });

export type Status = z.infer<typeof statusSchema>;
export type Outcome = z.infer<typeof outcomeSchema>;
