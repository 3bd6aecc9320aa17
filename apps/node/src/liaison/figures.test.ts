/**
 * The liaison office's figures kept as copies arrive (figures.ts) against the rule computed afresh from
 * every message applied (here, in plain code): referrals and statuses of two operations delivered in a
 * shuffled order and in batches, statuses before their referral, another member's statuses, statuses
 * naming no referral held, outcomes restated and left, ties on iat. Checked after every batch, then the
 * migration's backfill of existing rows against the same.
 */
import { ACTIONS, type Outcome, type Referral, type Status, type StatusState, uuidv7 } from '@firstlight/protocol';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import { fill } from '../db/migrations/014-liaison-figures.js';
import type { Database } from '../db/schema.js';
import { scratchLocation, testsUsePostgres } from '../testing/scratch-db.js';
import { liaisonApplier } from './applier.js';
import { readFigures } from './figures.js';

const dialect = testsUsePostgres() ? 'PostgreSQL' : 'SQLite';
const COUNTRIES = ['TH', 'VN', 'KH', 'MY'] as const;
const OPERATIONS = ['op-a', 'op-b'];

/** A small seeded generator (mulberry32), so a failure replays. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Message = { kind: 'referral'; m: Referral } | { kind: 'status'; m: Status };

function universe(rand: () => number): Message[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const messages: Message[] = [];
  const base = 1_750_000_000;
  const outcome = (): Outcome => ({
    suspectsIdentified: Math.floor(rand() * 9),
    arrests: Math.floor(rand() * 7),
    premisesSearched: Math.floor(rand() * 3),
    callCentresDismantled: Math.floor(rand() * 2),
  });
  for (let i = 0; i < 60; i++) {
    const from = pick(COUNTRIES);
    const to = pick(COUNTRIES.filter((c) => c !== from));
    const iat = base + i * 10;
    const referral: Referral = {
      v: 1,
      id: uuidv7(),
      from,
      to,
      iat,
      exp: iat + 86_400,
      ip: `203.0.113.${i + 1}`,
      seenAt: '2015-06-01T10:00:00Z',
      action: pick(ACTIONS),
      urgency: 'routine',
      operation: pick(OPERATIONS),
      evidence: [`sha256:${'a'.repeat(63)}${i % 10}`],
    } as Referral;
    // The statuses used to pass the order rule at the inbox; the figures' rule does not depend on it.
    if (rand() < 0.9) messages.push({ kind: 'referral', m: referral });
    const status = (signer: string, addressee: string, state: StatusState, at: number, counts?: Outcome): Status =>
      ({
        v: 1,
        id: uuidv7(),
        from: signer,
        to: addressee,
        iat: at,
        referral: referral.id,
        state,
        ...(counts ? { outcome: counts } : {}),
      }) as Status;
    let at = iat + 1;
    for (const state of ['acknowledged', 'located', 'action_taken', 'closed'] as const) {
      if (rand() < 0.3) continue;
      const counts = state !== 'acknowledged' && rand() < 0.6 ? outcome() : undefined;
      messages.push({ kind: 'status', m: status(to, from, state, at, counts) });
      // Two statuses with the same iat, both with counts: the later id speaks.
      if (counts && rand() < 0.2) messages.push({ kind: 'status', m: status(to, from, state, at, outcome()) });
      at += 1 + Math.floor(rand() * 3);
    }
    // Another member's word on this referral: kept, never counted.
    if (rand() < 0.3) {
      const other = pick(COUNTRIES.filter((c) => c !== to));
      messages.push({ kind: 'status', m: status(other, from, 'action_taken', at, outcome()) });
    }
  }
  // Shuffle (Fisher–Yates).
  for (let i = messages.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [messages[i], messages[j]] = [messages[j] as Message, messages[i] as Message];
  }
  return messages;
}

/**
 * Each held referral's state by the rule, in plain code: its recipient's latest status to its origin by
 * iat, of two with the same iat the later arrival (`applied` is in the order of arrival).
 */
function expectedStates(applied: Message[]): Map<string, string> {
  const referrals = applied.filter((x): x is Extract<Message, { kind: 'referral' }> => x.kind === 'referral').map((x) => x.m);
  const states = new Map<string, string>();
  for (const r of referrals) {
    let latest: Status | undefined;
    for (const x of applied)
      if (x.kind === 'status' && x.m.referral === r.id && x.m.from === r.to && x.m.to === r.from && (!latest || x.m.iat >= latest.iat))
        latest = x.m;
    states.set(r.id, latest?.state ?? 'sent');
  }
  return states;
}

/** The figures from every message applied so far, by the rule, in plain code (states from the rows, checked against expectedStates). */
async function expected(db: Kysely<Database>, applied: Message[], operation?: string) {
  const referrals = applied.filter((x): x is Extract<Message, { kind: 'referral' }> => x.kind === 'referral').map((x) => x.m);
  const statuses = applied.filter((x): x is Extract<Message, { kind: 'status' }> => x.kind === 'status').map((x) => x.m);
  const sums = new Map<string, number>();
  const add = (country: string, figure: string, key: string, n: number) => {
    const k = `${country}/${figure}/${key}`;
    sums.set(k, (sums.get(k) ?? 0) + n);
  };
  for (const r of referrals) {
    if (operation && r.operation !== operation) continue;
    add(r.from, 'sent', r.action, 1);
    const own = statuses.filter((s) => s.referral === r.id && s.from === r.to && s.to === r.from);
    add(r.to, 'statuses', '', own.length);
    const latest = own
      .filter((s) => s.outcome)
      .sort((a, b) => a.iat - b.iat || (a.id < b.id ? -1 : 1))
      .at(-1);
    if (latest?.outcome) {
      add(r.to, 'suspects', '', latest.outcome.suspectsIdentified);
      add(r.to, 'arrests', '', latest.outcome.arrests);
      add(r.to, 'premises', '', latest.outcome.premisesSearched);
      add(r.to, 'call_centres', '', latest.outcome.callCentresDismantled);
    }
  }
  let states = db
    .selectFrom('liaison_referrals')
    .select(['to_country', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['to_country', 'state']);
  if (operation) states = states.where('operation', '=', operation);
  for (const s of await states.execute()) add(s.to_country, 'state', s.state, Number(s.n));
  return [...sums].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : 1));
}

async function held(db: Kysely<Database>, operation?: string) {
  return (await readFigures(db, operation))
    .map((f) => [`${f.country}/${f.figure}/${f.key}`, f.n] as [string, number])
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

describe(`the liaison office's figures, kept as copies arrive (${dialect})`, () => {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const scratch = await scratchLocation('figures');
    handle = await openDatabase({ location: scratch.location });
    cleanup = scratch.dispose;
  });
  afterAll(async () => {
    await handle?.close();
    await cleanup?.();
  });

  const messages = universe(random(20151));
  const applied: Message[] = [];

  it('equal the rule recomputed from every message after each batch, in any order of arrival', async () => {
    const db = handle.db;
    const rand = random(7);
    let i = 0;
    let batches = 0;
    while (i < messages.length) {
      // A batch is a run of one kind, as the inbox hands each kind's run to its applier.
      const kind = (messages[i] as Message).kind;
      const run: Message[] = [];
      const size = 1 + Math.floor(rand() * 6);
      while (i < messages.length && run.length < size && (messages[i] as Message).kind === kind) run.push(messages[i++] as Message);
      await db.transaction().execute(async (trx) => {
        const items = run.map((x) => ({ message: x.m, jws: `jws-${x.m.id}` }));
        // Each batch's arrival time after the last one's, as the inbox's one-at-a-time store makes it.
        if (kind === 'referral') await liaisonApplier.referral.apply(trx, items as never, 1_000_000 + batches * 1000);
        else await liaisonApplier.status.apply(trx, items as never, 1_000_000 + batches * 1000);
      });
      applied.push(...run);
      batches++;
      expect(await held(db), `after batch ${batches}`).toEqual(await expected(db, applied));
      const rows = await db.selectFrom('liaison_referrals').select(['id', 'state']).execute();
      expect(new Map(rows.map((r) => [r.id, r.state])), `states after batch ${batches}`).toEqual(expectedStates(applied));
    }
    for (const op of OPERATIONS) expect(await held(db, op)).toEqual(await expected(db, applied, op));
    // The universe is not trivial: statuses before referrals, another member's, outcomes counted.
    const figures = await held(db);
    expect(figures.find(([k]) => k.endsWith('/arrests/'))).toBeDefined();
    expect(messages.filter((x) => x.kind === 'status').length).toBeGreaterThan(100);
  });

  it('are filled for existing rows by the migration, by the same rule', async () => {
    const db = handle.db;
    const before = await held(db);
    await sql`delete from liaison_figures`.execute(db);
    await sql`update liaison_referrals set statuses = 0, outcome_iat = null, outcome_id = null, suspects = 0, arrests = 0, premises = 0, call_centres = 0`.execute(
      db,
    );
    expect(await held(db)).toEqual([]);
    await fill(db as Kysely<unknown>);
    expect(await held(db)).toEqual(before);
    expect(before).toEqual(await expected(db, applied));
  });
});
