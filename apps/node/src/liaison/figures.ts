/**
 * The liaison office's figures, kept as the copies arrive rather than recomputed on every ask.
 *
 * Each referral copy holds what its authoritative statuses make of it (`figuresOf`: how many are held,
 * and the counts of the latest that carried an outcome — a later status restates the totals, it does not
 * add to them), and `liaison_figures` holds the sums of every copy's contribution (`contribution`) per
 * operation, country, figure and key. The appliers call `refreshFigures` in the transaction that stores a
 * copy, with the rows as they were before it (`figureRows`), so the sums move by exactly what changed, in
 * whatever order referrals and statuses arrive. The overview then reads a few hundred rows at any size of
 * operation. The deep check (audit/deep-check.ts) recomputes both from the signed statuses.
 */
import { type Kysely, sql } from 'kysely';
import { forChunks, inList } from '../db/chunks.js';
import type { Database } from '../db/schema.js';
import { authoritativeStatuses } from './authoritative-statuses.js';

/** The outcome counts, as `liaison_referrals` and `liaison_statuses` name them. */
export const OUTCOME_COLUMNS = ['suspects', 'arrests', 'premises', 'call_centres'] as const;

/** What a referral's authoritative statuses make of it. */
export interface ReferralFigures {
  statuses: number;
  outcome_iat: number | null;
  outcome_id: string | null;
  suspects: number;
  arrests: number;
  premises: number;
  call_centres: number;
}

/** An authoritative status as `figuresOf` reads it. */
export interface FigureStatus {
  id: string;
  iat: number;
  has_outcome: number;
  suspects: number;
  arrests: number;
  premises: number;
  call_centres: number;
}

/** A referral copy as its contribution to the sums reads it. */
export interface FigureRow extends ReferralFigures {
  id: string;
  operation: string;
  from_country: string;
  to_country: string;
  action: string;
  state: string;
}

const NO_OUTCOME: ReferralFigures = {
  statuses: 0,
  outcome_iat: null,
  outcome_id: null,
  suspects: 0,
  arrests: 0,
  premises: 0,
  call_centres: 0,
};

/**
 * The rule, pure: the number of authoritative statuses, and the counts of the latest that carried an
 * outcome (by iat, a tie broken by id, a time-ordered UUIDv7, compared as text).
 */
export function figuresOf(statuses: ReadonlyArray<FigureStatus>): ReferralFigures {
  let latest: FigureStatus | undefined;
  for (const s of statuses) {
    if (Number(s.has_outcome) !== 1) continue;
    const iat = Number(s.iat);
    if (!latest || iat > Number(latest.iat) || (iat === Number(latest.iat) && s.id > latest.id)) latest = s;
  }
  if (!latest) return { ...NO_OUTCOME, statuses: statuses.length };
  return {
    statuses: statuses.length,
    outcome_iat: Number(latest.iat),
    outcome_id: latest.id,
    suspects: Number(latest.suspects),
    arrests: Number(latest.arrests),
    premises: Number(latest.premises),
    call_centres: Number(latest.call_centres),
  };
}

/** The key of one sum: operation, country, figure, key (joined by a character no field may hold). */
export type FigureKey = string;
const SEP = '\u0000';

/** A copy's contribution to the sums: one sent (its origin, by action), one in its state (its recipient), and its recipient's counts. */
export function addContribution(sums: Map<FigureKey, number>, r: FigureRow, sign: 1 | -1): void {
  const add = (country: string, figure: string, key: string, n: number) => {
    if (n === 0) return;
    const k = figureKey(r.operation, country, figure, key);
    sums.set(k, (sums.get(k) ?? 0) + sign * n);
  };
  add(r.from_country, 'sent', r.action, 1);
  add(r.to_country, 'state', r.state, 1);
  add(r.to_country, 'statuses', '', Number(r.statuses));
  for (const column of OUTCOME_COLUMNS) add(r.to_country, column, '', Number(r[column]));
}

export function figureKey(operation: string, country: string, figure: string, key: string): FigureKey {
  return [operation, country, figure, key].join(SEP);
}

export function splitKey(key: FigureKey): { operation: string; country: string; figure: string; key: string } {
  const [operation = '', country = '', figure = '', k = ''] = key.split(SEP);
  return { operation, country, figure, key: k };
}

export const FIGURE_ROW_COLUMNS = [
  'id',
  'operation',
  'from_country',
  'to_country',
  'action',
  'state',
  'statuses',
  'outcome_iat',
  'outcome_id',
  ...OUTCOME_COLUMNS,
] as const;

/** The copies of these referrals as the sums last counted them (those not held are absent). */
export async function figureRows(db: Kysely<Database>, ids: ReadonlyArray<string>): Promise<Map<string, FigureRow>> {
  const rows = new Map<string, FigureRow>();
  await forChunks([...new Set(ids)], 500, async (chunk) => {
    for (const r of await db.selectFrom('liaison_referrals').select(FIGURE_ROW_COLUMNS).where('id', 'in', inList(chunk)).execute())
      rows.set(r.id, r as FigureRow);
  });
  return rows;
}

/** The authoritative statuses of these referrals, by referral. */
export async function authoritativeByReferral(db: Kysely<Database>, ids: ReadonlyArray<string>): Promise<Map<string, FigureStatus[]>> {
  const byReferral = new Map<string, FigureStatus[]>();
  await forChunks([...new Set(ids)], 500, async (chunk) => {
    const rows = await authoritativeStatuses(db)
      .select(['s.referral_id', 's.id', 's.iat', 's.has_outcome', 's.suspects', 's.arrests', 's.premises', 's.call_centres'])
      .where('s.referral_id', 'in', inList(chunk))
      .execute();
    for (const s of rows) {
      const list = byReferral.get(s.referral_id);
      if (list) list.push(s);
      else byReferral.set(s.referral_id, [s]);
    }
  });
  return byReferral;
}

const sameFigures = (a: ReferralFigures, b: ReferralFigures) =>
  Number(a.statuses) === b.statuses &&
  (a.outcome_iat === null ? null : Number(a.outcome_iat)) === b.outcome_iat &&
  a.outcome_id === b.outcome_id &&
  OUTCOME_COLUMNS.every((c) => Number(a[c]) === b[c]);

/**
 * After this transaction wrote copies of these referrals or statuses about them: each referral's figures
 * recomputed from its authoritative statuses, and the sums moved by the difference between its
 * contribution now and in `before` (read by `figureRows` before the writes).
 */
export async function refreshFigures(db: Kysely<Database>, ids: ReadonlyArray<string>, before: Map<string, FigureRow>): Promise<void> {
  const now = await figureRows(db, ids);
  const statuses = await authoritativeByReferral(db, [...now.keys()]);
  const deltas = new Map<FigureKey, number>();
  for (const row of now.values()) {
    const figures = figuresOf(statuses.get(row.id) ?? []);
    if (!sameFigures(row, figures)) {
      // One fixed statement per changed referral (prepared once).
      await sql`update liaison_referrals set statuses = ${figures.statuses}, outcome_iat = ${figures.outcome_iat},
          outcome_id = ${figures.outcome_id}, suspects = ${figures.suspects}, arrests = ${figures.arrests},
          premises = ${figures.premises}, call_centres = ${figures.call_centres}
        where id = ${row.id}`.execute(db);
      Object.assign(row, figures);
    }
    addContribution(deltas, row, 1);
    const was = before.get(row.id);
    if (was) addContribution(deltas, was, -1);
  }
  // In key order, so two transactions moving the same sums (PostgreSQL) take their row locks in one order.
  for (const key of [...deltas.keys()].sort()) {
    const n = deltas.get(key) as number;
    if (n === 0) continue;
    const k = splitKey(key);
    await sql`insert into liaison_figures (operation, country, figure, key, n) values (${k.operation}, ${k.country}, ${k.figure}, ${k.key}, ${n})
      on conflict (operation, country, figure, key) do update set n = liaison_figures.n + excluded.n`.execute(db);
  }
}

/** The sums, per country, figure and key, of one operation or of all. */
export async function readFigures(
  db: Kysely<Database>,
  operation: string | undefined,
): Promise<Array<{ country: string; figure: string; key: string; n: number }>> {
  let q = db
    .selectFrom('liaison_figures')
    .select(['country', 'figure', 'key', (eb) => eb.fn.sum<number>('n').as('n')])
    .groupBy(['country', 'figure', 'key']);
  if (operation) q = q.where('operation', '=', operation);
  return (await q.execute()).map((r) => ({ country: r.country, figure: r.figure, key: r.key, n: Number(r.n) })).filter((r) => r.n !== 0);
}
