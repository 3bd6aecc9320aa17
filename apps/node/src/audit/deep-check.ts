/**
 * The deep check (`firstlight audit verify --deep`): the audit chain covers entries, not the stored
 * messages, so an edited `referrals_in.ip` would pass `audit verify`. This re-derives every stored
 * signed message from its own bytes — its digest, its signature (with the directory held), the rows
 * derived from it — and names every row that does not match.
 *
 * It also checks, off the delivery path, the own signature of every envelope that was accepted on a
 * delivery seal (PROTOCOL.md §2.3.2, "Stored bytes that do not stand alone"): one that fails is the
 * sender's violation, reported with the sender, the message and the seal.
 *
 * It only reads. A message whose key the directory held no longer lists cannot be checked: it is
 * counted as unverifiable, never as tampered.
 */
import {
  type ProtocolError,
  type Referral,
  type Status,
  sha256Digest,
  type TrustStore,
  type VerifyResult,
  verify,
} from '@firstlight/protocol';
import type { Kysely } from 'kysely';
import type { NodeContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { referralColumns } from '../inbox/referral-row.js';
import {
  addContribution,
  authoritativeByReferral,
  FIGURE_ROW_COLUMNS,
  type FigureRow,
  figureKey,
  figuresOf,
  splitKey,
} from '../liaison/figures.js';
import { liaisonStatusColumns } from '../liaison/status-row.js';
import { statusColumns } from '../status/status-row.js';

export interface DeepProblem {
  /** `table:key`, e.g. `referrals_in:0197…`. */
  row: string;
  problem: string;
}

export interface DeepReport {
  ok: boolean;
  /** Stored signed messages whose bytes were re-checked. */
  checked: number;
  /** Messages whose key is no longer in the directory held (or revoked since): not checkable here. */
  unverifiable: number;
  /** Received messages whose bytes were erased under the privacy rules (OPERATIONS.md §8): their tombstone stands for them. */
  erased: number;
  /** Envelopes accepted on a seal whose own signature does not hold: the sender's violation. */
  sealViolations: Array<{ message: string; from: string; seal: string | null }>;
  problems: DeepProblem[];
}

/** Codes that say the key is gone or changed standing, not that the bytes are wrong. */
const KEY_STANDING = new Set(['ERR_KEY_UNKNOWN', 'ERR_KEY_REVOKED', 'ERR_KEY_NOT_VALID_AT_IAT']);
const PAGE = 500;
/** Stop listing after this many problems (the count of checked rows goes on). */
const MAX_PROBLEMS = 1000;

type Kind = 'referral' | 'status';

export async function deepCheck(ctx: NodeContext): Promise<DeepReport> {
  const report: DeepReport = { ok: true, checked: 0, unverifiable: 0, erased: 0, sealViolations: [], problems: [] };
  const trust = ctx.directory.current()?.trust;
  const problem = (row: string, text: string) => {
    report.ok = false;
    if (report.problems.length < MAX_PROBLEMS) report.problems.push({ row, problem: text });
  };
  const check = new Checker(ctx, trust, report, problem);

  await check.received();
  await check.seals();
  await check.receiptBatches();
  if (ctx.config.role === 'national') {
    await check.referralsIn();
    await check.referralsOut();
    await check.statuses();
  } else {
    await check.liaisonReferrals();
    await check.liaisonStatuses();
    await check.liaisonFigures();
  }
  if (report.sealViolations.length > 0) report.ok = false;
  return report;
}

class Checker {
  private readonly db: Kysely<Database>;

  constructor(
    private readonly ctx: NodeContext,
    private readonly trust: TrustStore | undefined,
    private readonly report: DeepReport,
    private readonly problem: (row: string, text: string) => void,
  ) {
    this.db = ctx.db;
  }

  /**
   * The message in `jws`, verified as a `kind` received or sent at `atSeconds` (so expiry and clock are
   * judged as they were then), or null after recording why not.
   */
  private async message<K extends Kind>(row: string, kind: K, jws: string, atSeconds: number, to: string) {
    this.report.checked++;
    if (!this.trust) {
      this.report.unverifiable++;
      return null;
    }
    const result = (await verify(jws, {
      type: kind,
      keys: this.trust,
      recipient: this.ctx.config.role === 'liaison' ? this.ctx.config.party : to,
      recipientRole: this.ctx.config.role,
      now: atSeconds,
      skewSeconds: this.ctx.config.skewSeconds,
    })) as VerifyResult<K>;
    if (result.ok) return result.message;
    const error = result.error as ProtocolError;
    if (KEY_STANDING.has(error.code)) this.report.unverifiable++;
    else this.problem(row, `its stored bytes no longer verify: ${error.code} (${error.message})`);
    return null;
  }

  private compare(row: string, expected: Record<string, unknown>, stored: Record<string, unknown>) {
    for (const [column, value] of Object.entries(expected)) {
      const held = stored[column];
      const same = held === value || (held !== null && value !== null && String(held) === String(value));
      if (!same) this.problem(row, `${column} is ${JSON.stringify(held)} but its signed message says ${JSON.stringify(value)}`);
    }
  }

  /**
   * Every message received over the federation: digest, signature, id and sender as stored. A message
   * erased under the privacy rules keeps its id and digest with no bytes; only a tombstone makes that
   * an erasure rather than tampering.
   */
  async received() {
    const erased = new Set(
      (
        await this.db
          .selectFrom('privacy_log')
          .select('subject_id')
          .where('action', '=', 'erase')
          .where('subject_kind', '=', 'referral')
          .execute()
      ).map((r) => r.subject_id),
    );
    for await (const r of inKeyOrder(
      (after) => this.db.selectFrom('received').selectAll().where('message_id', '>', after).orderBy('message_id').limit(PAGE).execute(),
      (r) => r.message_id,
    )) {
      const at = `received:${r.message_id}`;
      if (r.jws === '' && erased.has(r.message_id)) {
        this.report.erased++;
        continue;
      }
      if (sha256Digest(r.jws) !== r.digest) {
        this.problem(at, 'digest does not match its stored bytes');
        continue;
      }
      if (r.kind !== 'referral' && r.kind !== 'status') continue;
      if (r.seal !== null && this.trust) {
        // Accepted on a seal: its own signature was never computed on delivery. Judged here: bytes
        // whose digest still matches, under a seal that held, whose own signature fails, are the
        // sender's violation (§2.3.2), not tampering here.
        const own = await verify(r.jws, this.contextFor(r.kind, Number(r.received_at)));
        if (!own.ok && own.error.code === 'ERR_SIGNATURE_INVALID') {
          this.report.checked++;
          this.report.sealViolations.push({ message: r.message_id, from: r.from_country, seal: r.seal });
          continue;
        }
      }
      const m = await this.message(at, r.kind, r.jws, Math.floor(Number(r.received_at) / 1000), this.ctx.config.party);
      if (m) this.compare(at, { message_id: m.id, from_country: m.from }, r);
    }
  }

  private contextFor(kind: Kind, atMs: number) {
    return {
      type: kind,
      keys: this.trust as TrustStore,
      recipient: this.ctx.config.party,
      recipientRole: this.ctx.config.role,
      now: Math.floor(atMs / 1000),
      skewSeconds: this.ctx.config.skewSeconds,
    } as const;
  }

  async seals() {
    for (const r of await this.db.selectFrom('seals').select(['digest', 'jws']).execute())
      if (sha256Digest(r.jws) !== r.digest) this.problem(`seals:${r.digest}`, 'digest does not match its stored bytes');
    for (const r of await this.db
      .selectFrom('received')
      .leftJoin('seals', 'seals.digest', 'received.seal')
      .select(['received.message_id', 'seals.digest'])
      .where('received.seal', 'is not', null)
      .where('seals.digest', 'is', null)
      .execute())
      this.problem(`received:${r.message_id}`, 'accepted on a seal that is not stored');
  }

  async receiptBatches() {
    for (const r of await this.db.selectFrom('receipt_batches').select(['digest', 'jws']).execute())
      if (sha256Digest(r.jws) !== r.digest) this.problem(`receipt_batches:${r.digest}`, 'digest does not match its stored bytes');
  }

  /** The inbox: each row as its received referral says. */
  async referralsIn() {
    for await (const r of inKeyOrder(
      (after) =>
        this.db
          .selectFrom('referrals_in')
          .leftJoin('received', 'received.message_id', 'referrals_in.id')
          .selectAll('referrals_in')
          .select(['received.jws', 'received.received_at as got_at'])
          .where('referrals_in.id', '>', after)
          .orderBy('referrals_in.id')
          .limit(PAGE)
          .execute(),
      (r) => r.id,
    )) {
      const at = `referrals_in:${r.id}`;
      if (r.jws === null) this.problem(at, 'no received message with this id: the row was not made from a signed referral');
      else {
        const m = await this.message(at, 'referral', r.jws, Math.floor(Number(r.got_at) / 1000), this.ctx.config.party);
        if (m) this.compare(at, { ...referralColumns(m as Referral), exp: m.exp }, r);
      }
    }
  }

  /** Referrals this bureau signed: each row as its own signed bytes say. */
  async referralsOut() {
    for await (const r of inKeyOrder(
      (after) => this.db.selectFrom('referrals_out').selectAll().where('id', '>', after).orderBy('id').limit(PAGE).execute(),
      (r) => r.id,
    )) {
      const at = `referrals_out:${r.id}`;
      const m = await this.message(at, 'referral', r.jws, Number(r.iat), r.to_country);
      if (m) {
        const { from_country: _from, ...columns } = referralColumns(m as Referral);
        this.compare(at, { ...columns, exp: m.exp }, r);
      }
    }
  }

  /** Statuses sent and received: each row as its signed bytes say (and a received one as received). */
  async statuses() {
    for await (const r of inKeyOrder(
      (after) =>
        this.db
          .selectFrom('statuses')
          .leftJoin('received', 'received.message_id', 'statuses.id')
          .selectAll('statuses')
          .select(['received.jws as received_jws'])
          .where('statuses.id', '>', after)
          .orderBy('statuses.id')
          .limit(PAGE)
          .execute(),
      (r) => r.id,
    )) {
      const at = `statuses:${r.id}`;
      if (r.direction === 'in' && r.received_jws !== r.jws) this.problem(at, 'its bytes are not the bytes received with its id');
      const m = await this.message(at, 'status', r.jws, Number(r.iat), r.to_country);
      if (m) this.compare(at, statusColumns(m as Status), r);
    }
  }

  /** The liaison office's copies of referrals. */
  async liaisonReferrals() {
    for await (const r of inKeyOrder(
      (after) => this.db.selectFrom('liaison_referrals').selectAll().where('id', '>', after).orderBy('id').limit(PAGE).execute(),
      (r) => r.id,
    )) {
      const at = `liaison_referrals:${r.id}`;
      const m = await this.message(at, 'referral', r.jws, Math.floor(Number(r.received_at) / 1000), r.to_country);
      if (m) this.compare(at, referralColumns(m as Referral), r);
    }
  }

  /** The liaison office's copies of statuses, whose counts make every figure of the overview. */
  async liaisonStatuses() {
    for await (const r of inKeyOrder(
      (after) => this.db.selectFrom('liaison_statuses').selectAll().where('id', '>', after).orderBy('id').limit(PAGE).execute(),
      (r) => r.id,
    )) {
      const at = `liaison_statuses:${r.id}`;
      const m = (await this.message(at, 'status', r.jws, Math.floor(Number(r.received_at) / 1000), r.to_country)) as Status | null;
      if (!m) continue;
      this.compare(at, liaisonStatusColumns(m), r);
    }
  }

  /**
   * The figures the office keeps as copies arrive (liaison/figures.ts), recomputed from the statuses: each
   * referral's, then every sum. A row names a sum as `liaison_figures:operation/country/figure/key`.
   */
  async liaisonFigures() {
    const sums = new Map<string, number>();
    for await (const page of inKeyOrderPages(
      (after) =>
        this.db
          .selectFrom('liaison_referrals')
          .select(FIGURE_ROW_COLUMNS)
          .where('id', '>', after)
          .orderBy('id')
          .limit(PAGE)
          .execute() as Promise<FigureRow[]>,
      (r) => r.id,
    )) {
      const statuses = await authoritativeByReferral(
        this.db,
        page.map((r) => r.id),
      );
      for (const r of page) {
        const expected = figuresOf(statuses.get(r.id) ?? []);
        for (const [column, value] of Object.entries(expected)) {
          const stored = r[column as keyof typeof expected];
          if ((stored === null ? null : String(stored)) !== (value === null ? null : String(value)))
            this.problem(
              `liaison_referrals:${r.id}`,
              `${column} is ${JSON.stringify(stored)} but the statuses held for it make it ${JSON.stringify(value)}`,
            );
        }
        addContribution(sums, { ...r, ...expected }, 1);
      }
    }
    const held = new Map<string, number>();
    for (const f of await this.db.selectFrom('liaison_figures').selectAll().execute())
      held.set(figureKey(f.operation, f.country, f.figure, f.key), Number(f.n));
    for (const key of new Set([...sums.keys(), ...held.keys()])) {
      const expected = sums.get(key) ?? 0;
      const stored = held.get(key) ?? 0;
      if (expected !== stored) {
        const k = splitKey(key);
        this.problem(
          `liaison_figures:${k.operation}/${k.country}/${k.figure}/${k.key}`,
          `n is ${stored} but the signed statuses and referrals held make it ${expected}`,
        );
      }
    }
  }
}

/**
 * Every row of a query in key order, PAGE rows at a time (keyset paging: each page starts after the last
 * key seen), so a large table is never held whole. `page` must filter on key > after, order by the key
 * and limit to PAGE.
 */
async function* inKeyOrder<R>(page: (after: string) => Promise<R[]>, key: (row: R) => string): AsyncGenerator<R> {
  for await (const rows of inKeyOrderPages(page, key)) yield* rows;
}

/** The same, a page at a time. */
async function* inKeyOrderPages<R>(page: (after: string) => Promise<R[]>, key: (row: R) => string): AsyncGenerator<R[]> {
  let after = '';
  for (;;) {
    const rows = await page(after);
    const last = rows[rows.length - 1];
    if (last === undefined) return;
    yield rows;
    after = key(last);
  }
}
