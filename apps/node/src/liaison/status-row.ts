/**
 * The liaison office's copy of a signed status (`liaison_statuses`): the outcome is kept as four counts,
 * which the overview's figures sum. The writer (applier.ts) and the deep check (audit/deep-check.ts)
 * take the columns from this one function, so a row is judged by the rule that wrote it. No I/O here.
 */
import type { Status } from '@firstlight/protocol';

/** The columns of a `liaison_statuses` row that its signed status decides (a missing outcome counts 0). */
export function liaisonStatusColumns(m: Status) {
  return {
    referral_id: m.referral,
    from_country: m.from,
    to_country: m.to,
    state: m.state,
    suspects: m.outcome?.suspectsIdentified ?? 0,
    arrests: m.outcome?.arrests ?? 0,
    premises: m.outcome?.premisesSearched ?? 0,
    call_centres: m.outcome?.callCentresDismantled ?? 0,
    reason: m.reason ?? null,
    iat: m.iat,
  };
}
