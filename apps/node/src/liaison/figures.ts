/**
 * The liaison office's figures, kept as the copies arrive rather than recomputed on every ask.
 *
 * Each referral copy holds what its authoritative statuses make of it (`figuresOf`: how many are held,
 * and the counts of the latest that carried an outcome — a later status restates the totals, it does not
 * add to them), and `liaison_figures` holds the sums of every copy's contribution (`addContribution`) per
 * operation, country, figure and key. The appliers (applier.ts), in the transaction that stores a copy,
 * write each referral's new figures with its state in one statement and move the sums by the difference
 * (`moveFigures`), in whatever order referrals and statuses arrive: a referral copy takes its figures from
 * the statuses already held (`figuresOf`), a status adds to its referral's (`withStatuses`). The overview
 * then reads a few hundred rows at any size of operation. The deep check (audit/deep-check.ts) recomputes
 * both from the signed statuses.
 */
import type { Status } from '@firstlight/protocol';
import type { Kysely, Transaction } from 'kysely';
import { forChunks } from '../db/chunks.js';
import { fixed, fixedList, fixedValues } from '../db/fixed.js';
import type { Database } from '../db/schema.js';
import { AUTHORITATIVE_STATUSES_TEXT } from './authoritative-statuses.js';

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
  state_iat: number | null;
}

/** A referral's figures with no status held. */
export const NO_FIGURES: Readonly<ReferralFigures> = {
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
  if (!latest) return { ...NO_FIGURES, statuses: statuses.length };
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
  'state_iat',
  'statuses',
  'outcome_iat',
  'outcome_id',
  ...OUTCOME_COLUMNS,
] as const;

const FIGURE_ROWS = fixedList<FigureRow>(`select ${FIGURE_ROW_COLUMNS.join(', ')} from liaison_referrals where id in (??)`);

/** The copies of these referrals held, as the sums last counted them (those not held are absent). */
export async function figureRows(db: Kysely<Database>, ids: ReadonlyArray<string>): Promise<Map<string, FigureRow>> {
  const rows = new Map<string, FigureRow>();
  await forChunks([...new Set(ids)], 500, async (chunk) => {
    for (const r of await FIGURE_ROWS.rows(db, chunk, [])) rows.set(r.id, r);
  });
  return rows;
}

/** An authoritative status as a referral copy's state and figures read it. */
export interface HeldStatus extends FigureStatus {
  referral_id: string;
  state: string;
  received_at: number;
}

const AUTHORITATIVE_OF = fixedList<HeldStatus>(
  `select s.referral_id, s.id, s.iat, s.received_at, s.state, s.has_outcome, s.suspects, s.arrests, s.premises, s.call_centres
   from ${AUTHORITATIVE_STATUSES_TEXT} where s.referral_id in (??)`,
);

/** The authoritative statuses of these referrals (authoritative-statuses.ts), by referral, in the order the database gives. */
export async function authoritativeByReferral(db: Kysely<Database>, ids: ReadonlyArray<string>): Promise<Map<string, HeldStatus[]>> {
  const byReferral = new Map<string, HeldStatus[]>();
  await forChunks([...new Set(ids)], 500, async (chunk) => {
    for (const s of await AUTHORITATIVE_OF.rows(db, chunk, [])) {
      const list = byReferral.get(s.referral_id);
      if (list) list.push(s);
      else byReferral.set(s.referral_id, [s]);
    }
  });
  return byReferral;
}

/**
 * A referral copy's state from the statuses held when it arrives: the latest by iat (of two with the
 * same iat, the later arrival), or `sent` with none.
 */
export function stateOf(statuses: ReadonlyArray<HeldStatus>): { state: string; state_iat: number | null } {
  let latest: HeldStatus | undefined;
  for (const s of statuses)
    if (
      !latest ||
      Number(s.iat) > Number(latest.iat) ||
      (Number(s.iat) === Number(latest.iat) && Number(s.received_at) >= Number(latest.received_at))
    )
      latest = s;
  return latest ? { state: latest.state, state_iat: Number(latest.iat) } : { state: 'sent', state_iat: null };
}

/**
 * Referral copies' states and figures, every one of a batch in one statement (each its own values; an
 * apply writes each referral once). The casts type the values' columns for PostgreSQL, as the columns are.
 */
const WRITE_REFERRALS = fixedValues<
  never,
  [
    id: string,
    state: string,
    state_iat: number | null,
    statuses: number,
    outcome_iat: number | null,
    outcome_id: string | null,
    suspects: number,
    arrests: number,
    premises: number,
    call_centres: number,
  ]
>(
  `update liaison_referrals set state = v.column2, state_iat = v.column3, statuses = v.column4, outcome_iat = v.column5,
     outcome_id = v.column6, suspects = v.column7, arrests = v.column8, premises = v.column9, call_centres = v.column10
   from (values ??) as v where liaison_referrals.id = v.column1`,
  '(?, ?, cast(? as bigint), cast(? as integer), cast(? as bigint), ?, cast(? as integer), cast(? as integer), cast(? as integer), cast(? as integer))',
);

/** Referral copies' states and figures written, in one statement for a batch. */
export async function writeReferrals(db: Kysely<Database> | Transaction<Database>, rows: readonly FigureRow[]): Promise<void> {
  await WRITE_REFERRALS.run(
    db,
    rows.map((r) => [
      r.id,
      r.state,
      r.state_iat,
      r.statuses,
      r.outcome_iat,
      r.outcome_id,
      r.suspects,
      r.arrests,
      r.premises,
      r.call_centres,
    ]),
    [],
  );
}

/**
 * A held referral after these statuses about it (its recipient's to its origin, in the order of their
 * batch): one more counted each; the state of the latest by iat (of two with the same iat, the later
 * arrival) unless the state held is later; the counts of the latest carrying an outcome unless the one
 * held is later (by iat, then id). `figuresOf` over all of them gives the same.
 */
export function withStatuses(row: FigureRow, statuses: ReadonlyArray<Status>): FigureRow {
  const after = { ...row };
  let latest: Status | undefined;
  for (const m of statuses) {
    after.statuses = Number(after.statuses) + 1;
    if (!latest || m.iat >= latest.iat) latest = m;
    const o = m.outcome;
    if (!o) continue;
    const held = after.outcome_iat === null ? null : Number(after.outcome_iat);
    if (held === null || m.iat > held || (m.iat === held && m.id > (after.outcome_id ?? ''))) {
      after.outcome_iat = m.iat;
      after.outcome_id = m.id;
      after.suspects = o.suspectsIdentified;
      after.arrests = o.arrests;
      after.premises = o.premisesSearched;
      after.call_centres = o.callCentresDismantled;
    }
  }
  if (latest && (after.state_iat === null || Number(after.state_iat) <= latest.iat)) {
    after.state = latest.state;
    after.state_iat = latest.iat;
  }
  return after;
}

const ADD_FIGURE = fixed(
  `insert into liaison_figures (operation, country, figure, key, n) values (?, ?, ?, ?, ?)
   on conflict (operation, country, figure, key) do update set n = liaison_figures.n + excluded.n`,
);

/** The sums moved by what these copies contribute now (`after`) less what they did (`before`, absent for a new copy). */
export async function moveFigures(
  db: Kysely<Database> | Transaction<Database>,
  changes: ReadonlyArray<{ before: FigureRow | undefined; after: FigureRow }>,
): Promise<void> {
  const deltas = new Map<FigureKey, number>();
  for (const { before, after } of changes) {
    addContribution(deltas, after, 1);
    if (before) addContribution(deltas, before, -1);
  }
  // In key order, so two transactions moving the same sums (PostgreSQL) take their row locks in one order.
  for (const key of [...deltas.keys()].sort()) {
    const n = deltas.get(key) as number;
    if (n === 0) continue;
    const k = splitKey(key);
    await ADD_FIGURE.run(db, [k.operation, k.country, k.figure, k.key, n]);
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
