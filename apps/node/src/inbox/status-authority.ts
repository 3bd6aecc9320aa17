/**
 * Who may speak about a referral: a status is only ever the word of the country the referral was sent
 * to, about a referral the origin actually sent it (PROTOCOL.md §2.2). A valid signature proves who
 * signed, not that the signer had any say: a member must never be able to set the state or the
 * outcome counts of another country's referral, or of a referral that does not exist.
 * Never reads anything but this node's own outgoing referrals.
 */
import { ProtocolError, type Status } from '@firstlight/protocol';
import type { Kysely } from 'kysely';
import { forChunks } from '../db/chunks.js';
import { fixedList } from '../db/fixed.js';
import type { Database } from '../db/schema.js';
import { HeldStatuses, orderRefusal } from '../status/order-refusals.js';

/**
 * Why the origin country (this node) must refuse each status, or null when it may apply it (one query
 * for all). The code is the closest one §4 has (a status about someone else's referral is not
 * addressed to this party as that referral's origin); a dedicated protocol code would say it better.
 */
export async function statusRefusals(db: Kysely<Database>, statuses: Status[]): Promise<Array<ProtocolError | null>> {
  return (await statusStanding(db, statuses)).refusals;
}

/** Asked twice per delivery of statuses (before the store, and in its transaction): fixed statements. */
const RECIPIENTS = fixedList<{ id: string; to_country: string }>('select id, to_country from referrals_out where id in (??)');
const HELD = fixedList<{ referral_id: string; from_country: string; state: Status['state']; iat: number }>(
  "select referral_id, from_country, state, iat from statuses where referral_id in (??) and direction = 'in'",
);

/**
 * statusRefusals, with what was held before the batch: the latest iat of each sender's statuses on each
 * referral (by `${referral} ${from}`), which decides the state a referral shows (national-applier.ts).
 */
export async function statusStanding(
  db: Kysely<Database>,
  statuses: Status[],
): Promise<{ refusals: Array<ProtocolError | null>; latestIat: Map<string, number> }> {
  const recipients = new Map<string, string>();
  const held = new HeldStatuses();
  const latestIat = new Map<string, number>();
  await forChunks([...new Set(statuses.map((s) => s.referral))], 500, async (ids) => {
    for (const r of await RECIPIENTS.rows(db, ids, [])) recipients.set(r.id, r.to_country);
    for (const s of await HELD.rows(db, ids, [])) {
      const key = `${s.referral_id} ${s.from_country}`;
      const iat = Number(s.iat);
      held.of(key).push({ state: s.state, iat });
      const latest = latestIat.get(key);
      if (latest === undefined || iat > latest) latestIat.set(key, iat);
    }
  });
  const refusals = statuses.map((status) => {
    const refusal = authorityRefusal(status, recipients.get(status.referral));
    if (refusal) return refusal;
    return orderRefusal(held.of(`${status.referral} ${status.from}`), status);
  });
  return { refusals, latestIat };
}

function authorityRefusal(status: Status, to: string | undefined): ProtocolError | null {
  if (to === undefined)
    return new ProtocolError(
      'ERR_WRONG_RECIPIENT',
      `status ${status.id} is about referral ${status.referral}, which ${status.to} never sent`,
      {
        id: status.id,
        referral: status.referral,
      },
    );
  if (to !== status.from)
    return new ProtocolError(
      'ERR_WRONG_RECIPIENT',
      `status ${status.id} is signed by ${status.from}, but referral ${status.referral} was sent to ${to}: only that country reports on it`,
      { id: status.id, referral: status.referral, signer: status.from },
    );
  return null;
}
