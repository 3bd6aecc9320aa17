/**
 * The liaison office's handling of accepted copies: every referral and status, signed by its origin,
 * stored for the overview and correlation. Figures are computed only from these signed statuses, and a
 * status speaks for a referral only when the referral's receiving country signed it to the referral's
 * origin: a referral's state never takes any other member's word. Each apply moves the office's figures
 * (figures.ts) by what it changed, in its own transaction.
 */
import { ipNetwork, type ProtocolError, type Status } from '@firstlight/protocol';
import type { Kysely } from 'kysely';
import { forChunks, inList, insertRows } from '../db/chunks.js';
import type { Database } from '../db/schema.js';
import type { MessageAppliers } from '../inbox/appliers.js';
import { referralColumns } from '../inbox/referral-row.js';
import { HeldStatuses, orderRefusal } from '../status/order-refusals.js';
import { speaksFor } from './authoritative-statuses.js';
import {
  authoritativeByReferral,
  type FigureRow,
  figureRows,
  figuresOf,
  moveFigures,
  NO_FIGURES,
  stateOf,
  withStatuses,
  writeReferrals,
} from './figures.js';
import { liaisonStatusColumns } from './status-row.js';

export const liaisonApplier: MessageAppliers = {
  referral: {
    async apply(trx, items, now) {
      const ids = items.map(({ message }) => message.id);
      // Copies already held (a copy delivered again): they keep their row, and the sums their share.
      const held = await figureRows(trx, ids);
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
      // takes its state and figures from the statuses already held from its receiving country, addressed
      // to its origin.
      const earlier = await authoritativeByReferral(trx, ids);
      const changes: Array<{ before: FigureRow | undefined; after: FigureRow }> = [];
      /** Copies that took their state and figures from statuses held before them. */
      const taken: FigureRow[] = [];
      const seen = new Set<string>();
      for (const { message: m } of items) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        const before = held.get(m.id);
        const row: FigureRow = before ?? {
          id: m.id,
          operation: m.operation,
          from_country: m.from,
          to_country: m.to,
          action: m.action,
          state: 'sent',
          state_iat: null,
          ...NO_FIGURES,
        };
        const statuses = earlier.get(m.id);
        const after = statuses ? { ...row, ...stateOf(statuses), ...figuresOf(statuses) } : row;
        if (statuses) taken.push(after);
        changes.push({ before, after });
      }
      await writeReferrals(trx, taken);
      await moveFigures(trx, changes);
      const evidence = items.flatMap(({ message: m }) => m.evidence.map((digest) => ({ referral_id: m.id, digest, from_country: m.from })));
      await insertRows(trx, 'liaison_evidence', evidence, 300, { ignoreConflictOn: ['referral_id', 'digest'] });
    },
  },
  status: {
    refuse: liaisonStatusRefusals,
    async apply(trx, items, now) {
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
      // it. Any member's status is kept, since its referral may not be here yet (its copy then takes it up),
      // but only that country's count in the figures. State and figures of each referral held: one statement.
      const held = await figureRows(
        trx,
        items.map(({ message }) => message.referral),
      );
      const about = new Map<string, Status[]>();
      for (const { message: m } of items) {
        const r = held.get(m.referral);
        if (!r || !speaksFor(r, m)) continue;
        const list = about.get(r.id);
        if (list) list.push(m);
        else about.set(r.id, [m]);
      }
      const changes: Array<{ before: FigureRow | undefined; after: FigureRow }> = [];
      for (const [id, statuses] of about) {
        const before = held.get(id) as FigureRow;
        changes.push({ before, after: withStatuses(before, statuses) });
      }
      await writeReferrals(
        trx,
        changes.map((c) => c.after),
      );
      await moveFigures(trx, changes);
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
