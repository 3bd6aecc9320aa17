/** The status: how a referral is progressing in the country that received it. Counts, never names. */
import { z } from 'zod';
import { DECLINE_REASONS, STATUS_STATES, statusRuleProblems } from '../enums.js';
import { countryCode, messageId, numericDate, version } from './common.js';

export { DECLINE_REASONS, STATUS_STATES };

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
    for (const { path, message } of statusRuleProblems(m)) ctx.addIssue({ code: 'custom', path: [path], message });
  });

export type Status = z.infer<typeof statusSchema>;
export type Outcome = z.infer<typeof outcomeSchema>;
