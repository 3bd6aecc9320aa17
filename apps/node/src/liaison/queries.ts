/**
 * Operation oversight at the liaison office: overview, flows, timeline, the referral list, one
 * referral's signed history, correlation clusters and federation health. Every figure comes from the
 * signed copies the members sent (liaison_referrals / liaison_statuses); nothing here is self-reported.
 *
 * Headline outcome figures: for each referral, the outcome of its latest signed status that carries
 * one (a later status restates the totals, it does not add to them), summed over referrals. A status
 * counts only once its referral is held and only if the country that referral was sent to signed it
 * (authoritative-statuses.ts): a member cannot add to another country's figures, or invent a referral.
 */
import { peekJws, sha256Digest } from '@firstlight/protocol';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { seconds } from '../clock.js';
import type { NodeContext } from '../context.js';
import type { Database, LiaisonReferralState } from '../db/schema.js';
import { NodeError } from '../errors.js';
import { receiptVerdict, resolveReceipts } from '../receipts/stored.js';
import { AUTHORITATIVE_STATUSES_SQL, authoritativeStatuses } from './authoritative-statuses.js';
import { operationFromRow, revocationFromRow } from './authority.js';
import { readFigures } from './figures.js';
import type { MemberProbes } from './member-probes.js';
import { readOperationClock, toOperationTime } from './operation-clock.js';

const DAY = 86_400;
export const KEY_EXPIRY_WARNING_SECONDS = 14 * DAY;
export const SILENT_AFTER_SECONDS = DAY;

export interface Headline {
  countries: number;
  referrals: number;
  statuses: number;
  suspectsIdentified: number;
  arrests: number;
  premisesSearched: number;
  callCentresDismantled: number;
}

const inOperation = (operation: string | undefined) => (operation ? sql`and r.operation = ${operation}` : sql``);

/**
 * Each referral's latest outcome-carrying status, as rows (iat, the acting country, suspects, arrests, premises,
 * call_centres): kept on its copy as statuses arrive (figures.ts: a status's counts restate the totals and
 * one without counts leaves them, PROTOCOL.md §2.2.1, so the latest that carried counts, by iat, a tie
 * broken by id).
 */
function latestOutcomes(operation: string | undefined) {
  return sql`select r.outcome_iat as iat, r.to_country as country, r.suspects, r.arrests, r.premises, r.call_centres
      from liaison_referrals r where r.outcome_iat is not null ${inOperation(operation)}`;
}

/**
 * A view's figures from one snapshot: a status arriving between two of its queries would otherwise be
 * counted in one and not the other (REPEATABLE READ on PostgreSQL; on SQLite the transaction holds the
 * only connection, so nothing is written meanwhile).
 */
function snapshot<T>(db: Kysely<Database>, read: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').execute(read);
}

async function operationFilter(db: Kysely<Database>, operation: string | undefined) {
  if (!operation) return null;
  const op = await db.selectFrom('dir_operations').selectAll().where('id', '=', operation).executeTakeFirst();
  if (!op) throw new NodeError('ERR_NOT_FOUND', `no operation ${operation}`);
  return { id: op.id, name: op.name, start: op.start, end: op.end, participants: JSON.parse(op.participants) as string[] };
}

/**
 * The operation at a glance, from the figures kept as copies arrive (figures.ts): one read of a few
 * hundred rows at any size. Computing them on every ask (a window over every status) cost the office
 * 294 ms of CPU per ask at 48,530 statuses, and the console and the simulation ask often.
 */
export async function overview(ctx: NodeContext, input: { operation?: string | undefined }) {
  const operation = await operationFilter(ctx.db, input.operation);
  const headline: Headline = {
    countries: 0,
    referrals: 0,
    statuses: 0,
    suspectsIdentified: 0,
    arrests: 0,
    premisesSearched: 0,
    callCentresDismantled: 0,
  };
  const perCountry = new Map<
    string,
    {
      country: string;
      sent: number;
      received: number;
      /** Its own signed outcomes: arrests and call centres dismantled on the referrals it received. */
      arrests: number;
      callCentresDismantled: number;
      byAction: Record<string, number>;
      byState: Record<string, number>;
    }
  >();
  const entry = (country: string) => {
    let e = perCountry.get(country);
    if (!e) {
      e = { country, sent: 0, received: 0, arrests: 0, callCentresDismantled: 0, byAction: {}, byState: {} };
      perCountry.set(country, e);
    }
    return e;
  };
  for (const { country, figure, key, n } of await readFigures(ctx.db, input.operation)) {
    const e = entry(country);
    switch (figure) {
      case 'sent':
        e.sent += n;
        e.byAction[key] = n;
        headline.referrals += n;
        break;
      case 'state':
        e.received += n;
        e.byState[key] = n;
        break;
      case 'statuses':
        headline.statuses += n;
        break;
      case 'suspects':
        headline.suspectsIdentified += n;
        break;
      case 'arrests':
        headline.arrests += n;
        e.arrests = n;
        break;
      case 'premises':
        headline.premisesSearched += n;
        break;
      case 'call_centres':
        headline.callCentresDismantled += n;
        e.callCentresDismantled = n;
        break;
    }
  }
  for (const c of operation?.participants ?? []) entry(c);
  headline.countries = perCountry.size;
  return {
    operation,
    headline,
    perCountry: [...perCountry.values()].sort((a, b) => b.sent + b.received - (a.sent + a.received) || a.country.localeCompare(b.country)),
    generatedAt: seconds(ctx.clock.now()),
  };
}

export async function flows(ctx: NodeContext, input: { operation?: string | undefined }) {
  let q = ctx.db
    .selectFrom('liaison_referrals')
    .select(['from_country', 'to_country', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy(['from_country', 'to_country']);
  if (input.operation) q = q.where('operation', '=', input.operation);
  const rows = await q.execute();
  return rows
    .map((r) => ({ from: r.from_country, to: r.to_country, count: Number(r.count) }))
    .sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** Bucket sizes `auto` picks from (seconds): a minute for a fast replay up to a week for a months-long operation. */
const BUCKET_LADDER = [60, 300, 900, 3600, 6 * 3600, DAY, 7 * DAY];
/** At most this many buckets across the operation's span: enough to see its shape, few enough to read. */
export const MAX_AUTO_BUCKETS = 60;

/** The smallest bucket of the ladder that covers the operation's span (first referral to last status) in MAX_AUTO_BUCKETS. */
async function autoBucket(trx: Kysely<Database>, op: string | undefined): Promise<number> {
  const span = await sql<{ first: unknown; last: unknown }>`select min(r.iat) as first, max(r.iat) as last
      from liaison_referrals r where 1 = 1 ${inOperation(op)}`.execute(trx);
  const statuses = await sql<{ last: unknown }>`select max(s.iat) as last from liaison_statuses s
      ${op ? sql`join liaison_referrals r on r.id = s.referral_id where r.operation = ${op}` : sql``}`.execute(trx);
  const first = Number(span.rows[0]?.first ?? 0);
  const last = Math.max(Number(span.rows[0]?.last ?? 0), Number(statuses.rows[0]?.last ?? 0));
  const width = Math.max(0, last - first);
  return BUCKET_LADDER.find((size) => width / size <= MAX_AUTO_BUCKETS) ?? (BUCKET_LADDER.at(-1) as number);
}

/**
 * Referrals, statuses and arrests per time bucket, oldest first. `auto` picks the bucket that fits the
 * operation's span; each bucket says its size, so a reader can lay out the empty ones between.
 * `operationDay`: per day of the operation's own calendar when the office holds a replay's operation
 * clock (operation-clock.ts), each bucket labelled with its `day`; without a clock it is `day`.
 */
export interface TimelineBucket {
  /** Start of the bucket, real time (seconds since epoch). */
  at: number;
  /** Its width in real seconds. */
  size: number;
  /** `operationDay` buckets: the operation's own day (YYYY-MM-DD) on a replay's clock. */
  day?: string;
  referrals: number;
  statuses: number;
  arrests: number;
}

export async function timeline(
  ctx: NodeContext,
  input: { operation?: string | undefined; bucket: 'hour' | 'day' | 'auto' | 'operationDay' },
): Promise<TimelineBucket[]> {
  const clock = input.bucket === 'operationDay' ? readOperationClock(ctx.dataDir) : null;
  if (!clock) return countTimeline(ctx, input.operation, input.bucket === 'operationDay' ? 'day' : input.bucket);
  // A replay runs days in seconds: counted per real second, then gathered by the operation day each second was.
  const counted = await countTimeline(ctx, input.operation, 1);
  const size = Math.max(1, Math.round((clock.segments.at(-1)?.msPerDay ?? 1000) / 1000));
  const days = new Map<string, TimelineBucket>();
  for (const b of counted) {
    const day = new Date(toOperationTime(clock, b.at * 1000)).toISOString().slice(0, 10);
    const d = days.get(day) ?? { at: b.at, size, day, referrals: 0, statuses: 0, arrests: 0 };
    d.referrals += b.referrals;
    d.statuses += b.statuses;
    d.arrests += b.arrests;
    days.set(day, d);
  }
  return [...days.values()].sort((a, b) => a.at - b.at);
}

async function countTimeline(ctx: NodeContext, op: string | undefined, bucket: 'hour' | 'day' | 'auto' | number) {
  return snapshot(ctx.db, async (trx) => {
    const width = typeof bucket === 'number' ? bucket : bucket === 'hour' ? 3600 : bucket === 'day' ? DAY : await autoBucket(trx, op);
    const size = sql.lit(width);
    const buckets = new Map<number, { at: number; size: number; referrals: number; statuses: number; arrests: number }>();
    const add = async (key: 'referrals' | 'statuses' | 'arrests', query: RawBuilder<{ bucket: unknown; n: unknown }>) => {
      for (const row of (await query.execute(trx)).rows) {
        const at = Number(row.bucket);
        const b = buckets.get(at) ?? { at, size: width, referrals: 0, statuses: 0, arrests: 0 };
        b[key] += Number(row.n ?? 0);
        buckets.set(at, b);
      }
    };
    await add(
      'referrals',
      sql`select (r.iat / ${size}) * ${size} as bucket, count(*) as n from liaison_referrals r
      where 1 = 1 ${inOperation(op)} group by 1`,
    );
    await add(
      'statuses',
      sql`select (s.iat / ${size}) * ${size} as bucket, count(*) as n from ${AUTHORITATIVE_STATUSES_SQL}
      where 1 = 1 ${inOperation(op)} group by 1`,
    );
    // Arrests are counted once per referral, at the time of the status that states them.
    await add('arrests', sql`select (iat / ${size}) * ${size} as bucket, sum(arrests) as n from (${latestOutcomes(op)}) latest group by 1`);
    return [...buckets.values()].sort((a, b) => a.at - b.at);
  });
}

export interface ReferralFilter {
  ip?: string | undefined;
  country?: string | undefined;
  action?: string | undefined;
  state?: LiaisonReferralState | undefined;
  operation?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** Cursor: "<iat>:<id>" of the last row returned (newest first). */
function parseCursor(cursor: string): { iat: number; id: string } {
  const m = /^(\d{1,12}):([0-9a-f-]{36})$/.exec(cursor);
  if (!m) throw new NodeError('ERR_INPUT', 'the cursor is not one this node returned');
  return { iat: Number(m[1]), id: m[2] as string };
}

export async function listReferrals(ctx: NodeContext, input: ReferralFilter) {
  let q = ctx.db.selectFrom('liaison_referrals');
  if (input.ip) {
    const network = input.ip.includes('/') ? input.ip : null;
    q = network ? q.where('network', '=', network) : q.where('ip', '=', input.ip);
  }
  if (input.country) {
    const c = input.country;
    q = q.where((eb) => eb.or([eb('from_country', '=', c), eb('to_country', '=', c)]));
  }
  if (input.action) q = q.where('action', '=', input.action);
  if (input.state) q = q.where('state', '=', input.state);
  if (input.operation) q = q.where('operation', '=', input.operation);
  const totalRow = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  let page = q.select(['id', 'from_country', 'to_country', 'ip', 'port', 'action', 'urgency', 'operation', 'state', 'iat', 'received_at']);
  if (input.cursor) {
    const c = parseCursor(input.cursor);
    page = page.where((eb) => eb.or([eb('iat', '<', c.iat), eb.and([eb('iat', '=', c.iat), eb('id', '<', c.id)])]));
  }
  const rows = await page
    .orderBy('iat', 'desc')
    .orderBy('id', 'desc')
    .limit(input.limit + 1)
    .execute();
  const more = rows.length > input.limit;
  const items = rows.slice(0, input.limit).map((r) => ({
    id: r.id,
    from: r.from_country,
    to: r.to_country,
    ip: r.ip,
    port: r.port === null ? null : Number(r.port),
    action: r.action,
    urgency: r.urgency,
    operation: r.operation,
    state: r.state,
    iat: Number(r.iat),
    receivedAt: Number(r.received_at),
  }));
  const last = items.at(-1);
  return { items, nextCursor: more && last ? `${last.iat}:${last.id}` : null, total: Number(totalRow?.n ?? 0) };
}

export async function history(ctx: NodeContext, id: string) {
  const r = await ctx.db.selectFrom('liaison_referrals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new NodeError('ERR_NOT_FOUND', `the liaison office holds no referral ${id}`);
  // The referral's signed history is its recipient's word: another member's status naming it is not part of it.
  const statuses = await authoritativeStatuses(ctx.db)
    .selectAll('s')
    .where('s.referral_id', '=', id)
    .orderBy('s.iat')
    .orderBy('s.id')
    .execute();
  const receipts = await ctx.db
    .selectFrom('received')
    .select(['message_id', 'receipt', 'received_at'])
    .where('message_id', 'in', [id, ...statuses.map((s) => s.id)])
    .execute();
  // Stored copies were verified on arrival: read for display only.
  const ref = peekJws(r.jws);
  const referral = {
    id: r.id,
    from: r.from_country,
    to: r.to_country,
    ip: r.ip,
    action: r.action,
    urgency: r.urgency,
    operation: r.operation,
    evidence: JSON.parse(r.evidence) as string[],
    iat: Number(r.iat),
    exp: Number((ref?.payload as { exp?: unknown } | undefined)?.exp ?? 0),
    signer: r.from_country,
    kid: ref?.kid ?? '',
    digest: sha256Digest(r.jws),
    jws: r.jws,
  };
  const events: Array<{
    type: 'referral' | 'receipt' | 'status';
    /** On a replay's operation clock only: the operation's own day of `at`. */
    operationDay?: string;
    /** The message this event is (a referral or status), or the one it answers (a receipt). */
    ref: string;
    at: number;
    signer: string;
    kid: string;
    digest: string;
    summary: string;
    message: unknown;
    jws: string;
  }> = [
    {
      type: 'referral',
      ref: r.id,
      at: Number(r.iat),
      signer: r.from_country,
      kid: referral.kid,
      digest: referral.digest,
      summary: `${r.from_country} asks ${r.to_country} to ${r.action.replace(/_/g, ' ')} ${r.ip} (${r.urgency})`,
      message: ref?.payload,
      jws: r.jws,
    },
  ];
  for (const s of statuses) {
    const decoded = peekJws(s.jws);
    const counts =
      s.arrests + s.suspects + s.premises + s.call_centres > 0
        ? `: ${s.suspects} suspects, ${s.arrests} arrests, ${s.premises} premises, ${s.call_centres} call centres`
        : '';
    events.push({
      type: 'status',
      ref: s.id,
      at: Number(s.iat),
      signer: s.from_country,
      kid: decoded?.kid ?? '',
      digest: sha256Digest(s.jws),
      summary: `${s.from_country}: ${s.state.replace(/_/g, ' ')}${s.reason ? ` (${s.reason})` : ''}${counts}`,
      message: decoded?.payload,
      jws: s.jws,
    });
  }
  const resolved = await resolveReceipts(
    ctx.db,
    receipts.map((rc) => rc.receipt),
  );
  for (const [i, rc] of receipts.entries()) {
    const stored = resolved[i];
    const receipt = stored ? receiptVerdict(stored) : null;
    if (!stored || !receipt) continue;
    const verdict = receipt.verdict === 'accepted' ? 'accepted' : `rejected ${receipt.code ?? ''}`;
    events.push({
      type: 'receipt',
      ref: rc.message_id,
      at: receipt.iat,
      signer: receipt.from,
      kid: peekJws(stored.jws)?.kid ?? '',
      digest: sha256Digest(stored.jws),
      summary: `the liaison office ${verdict} its copy of ${rc.message_id === id ? 'the referral' : 'a status'}${stored.index === null ? '' : ` (verdict ${stored.index + 1} of a receipt batch)`}`,
      message: receipt,
      jws: stored.jws,
    });
  }
  events.sort((a, b) => a.at - b.at || (a.type === 'referral' ? -1 : b.type === 'referral' ? 1 : 0));
  // A replay's history also reads in the operation's own days; `at` stays the signed, real time.
  const clock = readOperationClock(ctx.dataDir);
  const dated = events.map((e) =>
    clock ? { ...e, operationDay: new Date(toOperationTime(clock, e.at * 1000)).toISOString().slice(0, 10) } : e,
  );
  return { referral, events: dated, operationClock: clock ? clock.label : null };
}

/** The federation's health; members' own endpoints through the node's one cache of probes (member-probes.ts). */
export async function health(ctx: NodeContext, probes: MemberProbes) {
  const held = ctx.directory.current();
  const now = seconds(ctx.clock.now());
  const lastPublication = await ctx.db
    .selectFrom('dir_publications')
    .select(['serial', 'issued_at'])
    .orderBy('serial', 'desc')
    .limit(1)
    .executeTakeFirst();
  const contacts = await ctx.db
    .selectFrom('received')
    .select(['from_country', (eb) => eb.fn.max('received_at').as('last')])
    .groupBy('from_country')
    .execute();
  const lastContact = new Map(contacts.map((c) => [c.from_country, Number(c.last)]));
  const peers = await ctx.db.selectFrom('peers').select(['country', 'last_heard_at']).execute();
  for (const p of peers) {
    if (p.last_heard_at !== null) lastContact.set(p.country, Math.max(lastContact.get(p.country) ?? 0, Number(p.last_heard_at)));
  }
  const members = held?.directory.members ?? [];
  const answers = await probes.read(members.filter((m) => m.role === 'national'));
  return {
    serial: held?.directory.serial ?? null,
    publishedAt: lastPublication ? Number(lastPublication.issued_at) : null,
    /** The directory this office published and holds, by its clock: publish again before it expires. */
    directory: ctx.directory.standing(),
    members: members.map((m) => {
      const last = lastContact.get(m.country) ?? null;
      return {
        country: m.country,
        name: m.name,
        endpoint: m.endpoint,
        role: m.role,
        lastContact: last === null ? null : seconds(last),
        silent: m.role === 'national' && (last === null || now - seconds(last) > SILENT_AFTER_SECONDS),
        /** Whether its health endpoint answered the latest probe (the office itself: always). */
        reachable: m.role === 'national' ? (answers.get(m.country)?.reachable ?? false) : true,
        probedAt: m.role === 'national' ? seconds(answers.get(m.country)?.probedAt ?? 0) : now,
        directorySerial: m.role === 'national' ? (answers.get(m.country)?.serial ?? null) : (held?.directory.serial ?? null),
        /** Copies the member holds for the liaison office, as its health endpoint reports (null: not reachable). */
        queued: m.role === 'national' ? (answers.get(m.country)?.queuedToLiaison ?? null) : 0,
        keys: m.keys.map((k) => ({
          kid: k.kid,
          nbf: k.nbf,
          exp: k.exp,
          expiringSoon: k.exp - now <= KEY_EXPIRY_WARNING_SECONDS,
          revoked: held?.trust.revocation(k.kid) !== undefined,
        })),
      };
    }),
  };
}

/** The draft (what the next publish will sign) next to the last published directory. */
export async function directoryDraft(ctx: NodeContext) {
  const db = ctx.db;
  const members = await db.selectFrom('dir_members').selectAll().orderBy('country').execute();
  const keys = await db.selectFrom('dir_keys').selectAll().orderBy('added_at').execute();
  const revoked = await db.selectFrom('dir_revocations').selectAll().orderBy('at').execute();
  const operations = await db.selectFrom('dir_operations').selectAll().orderBy('id').execute();
  const held = ctx.directory.current();
  return {
    draft: {
      members: members.map((m) => ({
        country: m.country,
        name: m.name,
        endpoint: m.endpoint,
        keys: keys
          .filter((k) => k.country === m.country)
          .map((k) => ({ kid: k.kid, status: k.status, nbf: Number(k.nbf), exp: Number(k.exp) })),
      })),
      revoked: revoked.map(revocationFromRow),
      operations: operations.map(operationFromRow),
    },
    published: held
      ? { serial: held.directory.serial, issuedAt: held.directory.issuedAt, expiresAt: held.directory.expiresAt, directory: held.directory }
      : null,
  };
}
