/**
 * The liaison office's handling of accepted copies: every referral and status, signed by its origin,
 * stored for the overview and correlation. Figures are computed only from these signed statuses, and a
 * status speaks for a referral only when the referral's receiving country signed it to the referral's
 * origin: a referral's state never takes any other member's word. Each apply moves the office's figures
 * (figures.ts) by what it changed, in its own transaction.
 */
import { ipNetwork, type ProtocolError, type Status, type StatusState } from '@firstlight/protocol';
import { type Kysely, sql } from 'kysely';
import { forChunks, inList, insertRows } from '../db/chunks.js';
import type { Database } from '../db/schema.js';
import type { MessageAppliers } from '../inbox/appliers.js';
import { referralColumns } from '../inbox/referral-row.js';
import { HeldStatuses, orderRefusal } from '../status/order-refusals.js';
import { authoritativeStatuses } from './authoritative-statuses.js';
import { figureRows, refreshFigures } from './figures.js';
import { liaisonStatusColumns } from './status-row.js';

export const liaisonApplier: MessageAppliers = {
  referral: {
    async apply(trx, items, now) {
      const ids = items.map(({ message }) => message.id);
      const before = await figureRows(trx, ids);
      const rows = items.map(({ message: m, jws }) =>
        // Object.assign, not a spread: spreading these rows costs ~15 µs each (measured), assigning ~1 µs.
        Object.assign(referralColumns(m), {
          network: ipNetwork(m.ip) ?? m.ip,
          received_at: now,
          state: 'sent' as const,
          state_iat: null,
          jws,
        }),
      );
      await insertRows(trx, 'liaison_referrals', rows, 100, { ignoreConflictOn: ['id'] });
      // A status may have come before the copy of its referral (each travels on its own): the referral
      // takes the latest signed status already held from its receiving country, addressed to its origin.
      await forChunks(ids, 500, async (ids) => {
        const earlier = await authoritativeStatuses(trx)
          .select(['s.referral_id', 's.state', 's.iat'])
          .where('s.referral_id', 'in', inList(ids))
          .orderBy('s.iat', 'asc')
          .orderBy('s.received_at', 'asc')
          .execute();
        const latest = new Map<string, { state: StatusState; iat: number }>();
        for (const s of earlier) latest.set(s.referral_id, s);
        for (const [referralId, s] of latest)
          await sql`update liaison_referrals set state = ${s.state}, state_iat = ${s.iat}
              where id = ${referralId} and (state_iat is null or state_iat <= ${s.iat})`.execute(trx);
      });
      const evidence = items.flatMap(({ message: m }) => m.evidence.map((digest) => ({ referral_id: m.id, digest, from_country: m.from })));
      await insertRows(trx, 'liaison_evidence', evidence, 300, { ignoreConflictOn: ['referral_id', 'digest'] });
      await refreshFigures(trx, ids, before);
    },
  },
  status: {
    refuse: liaisonStatusRefusals,
    async apply(trx, items, now) {
      const referrals = items.map(({ message }) => message.referral);
      const before = await figureRows(trx, referrals);
      await insertRows(
        trx,
        'liaison_statuses',
        items.map(({ message: m, jws }) => ({
          id: m.id,
          ...liaisonStatusColumns(m),
          has_outcome: m.outcome ? 1 : 0,
          received_at: now,
          jws,
        })),
        100,
      );
      // The referral's state is its latest signed status (statuses may arrive before or after the referral
      // copy; of two with the same iat, the later arrival), and only the country it was sent to speaks for
      // it. Any member's status is kept, since its referral may not be here yet; the figures (queries.ts)
      // count only those of that country.
      const latest = new Map<string, Status>();
      for (const { message: m } of items) {
        const key = `${m.referral} ${m.from} ${m.to}`;
        const held = latest.get(key);
        if (!held || m.iat >= held.iat) latest.set(key, m);
      }
      // One fixed statement per referral (prepared once; built per call it cost more than it ran).
      for (const m of latest.values())
        await sql`update liaison_referrals set state = ${m.state}, state_iat = ${m.iat}
          where id = ${m.referral} and to_country = ${m.from} and from_country = ${m.to}
            and (state_iat is null or state_iat <= ${m.iat})`.execute(trx);
      await refreshFigures(trx, referrals, before);
    },
  },
};

/**
 * The order rule (PROTOCOL.md §2.2.1) as the origin applies it, so the office and the origin keep the
 * same statuses: each judged among those held from the same sender to the same origin about the same
 * referral (and those of this batch already passed).
 */
async function liaisonStatusRefusals(db: Kysely<Database>, statuses: Status[]): Promise<Array<ProtocolError | null>> {
  const held = new HeldStatuses();
  await forChunks([...new Set(statuses.map((s) => s.referral))], 500, async (ids) => {
    for (const s of await db
      .selectFrom('liaison_statuses')
      .select(['referral_id', 'from_country', 'to_country', 'state', 'iat'])
      .where('referral_id', 'in', inList(ids))
      .execute())
      held.of(`${s.referral_id} ${s.from_country} ${s.to_country}`).push({ state: s.state as Status['state'], iat: Number(s.iat) });
  });
  return statuses.map((status) => orderRefusal(held.of(`${status.referral} ${status.from} ${status.to}`), status));
}
