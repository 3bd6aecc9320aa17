/**
 * The outbox: signed messages waiting for a signed receipt. Rows are written in the same transaction
 * as the change that produced the message; the worker (outbox/worker.ts) delivers them.
 * A row holds the delivery to one peer, not the message: the JWS is kept once, in referrals_out or
 * statuses, and the claim reads it from there (each row is written three times: queued, claimed, settled).
 * Portable SQL only: claims use claimed_by/claimed_until so several processes can share one database.
 */
import { type DeliveredKind, LIAISON_PARTY, sha256Digest } from '@firstlight/protocol';
import type { ExpressionBuilder, Kysely, Selectable, Transaction } from 'kysely';
import { appendAudit } from '../audit/audit-log.js';
import { insertRows } from '../db/chunks.js';
import { fixed } from '../db/fixed.js';
import type { Database, OutboxTable } from '../db/schema.js';

export type OutboxRow = Selectable<OutboxTable>;
/** A claimed row with the signed message it delivers. */
export type ClaimedRow = OutboxRow & { jws: string };

export type { OutboxState } from '../db/schema.js';

/** A message this node sent, by kind and id (its JWS is in referrals_out or statuses), and its peers. */
export interface Queued {
  id: string;
  kind: DeliveredKind;
  peers: string[];
  now: number;
}

export function enqueue(trx: Transaction<Database> | Kysely<Database>, message: Queued): Promise<void> {
  return enqueueAll(trx, [message]);
}

/** One outbox row per message and peer, written by multi-row inserts (bulk calls queue hundreds at once). */
export async function enqueueAll(trx: Transaction<Database> | Kysely<Database>, messages: Queued[]): Promise<void> {
  const rows = messages.flatMap((message) =>
    [...new Set(message.peers)].map((peer) => ({
      message_id: message.id,
      kind: message.kind,
      peer,
      state: 'queued' as const,
      attempts: 0,
      next_attempt_at: message.now,
      last_error: null,
      receipt: null,
      receipt_code: null,
      created_at: message.now,
      delivered_at: null,
      claimed_by: null,
      claimed_until: null,
    })),
  );
  await insertRows(trx, 'outbox', rows, 200);
}

/**
 * Messages this node signed and sends (referrals, statuses): queued for their recipient and the liaison
 * office, and audited as sent, in the caller's transaction.
 */
export async function queueSent(
  trx: Transaction<Database>,
  kind: DeliveredKind,
  sent: ReadonlyArray<{ message: { id: string; to: string }; jws: string }>,
  now: number,
): Promise<void> {
  await enqueueAll(
    trx,
    sent.map(({ message }) => ({ id: message.id, kind, peers: [message.to, LIAISON_PARTY], now })),
  );
  await appendAudit(
    trx,
    sent.map(({ message, jws }) => ({ at: now, kind: `sent.${kind}`, ref: `${message.id}@${message.to}`, digest: sha256Digest(jws) })),
  );
}

/**
 * Claims left by a crashed run are void: their rows are delivered again now. Only for a database one
 * process owns (SQLite): where processes share one, another may hold a live claim.
 */
export async function releaseClaims(db: Kysely<Database>): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ claimed_by: null, claimed_until: null })
    .where('state', '=', 'queued')
    .where('claimed_by', 'is not', null)
    .execute();
}

/**
 * `queued(peer)`: every peer with a queued row, one index walk each (a skip scan over outbox_due:
 * state, peer, next_attempt_at), whatever the size of the backlog. The start of duePeers and nextDueAt.
 */
const QUEUED_PEERS = `with recursive queued(peer) as (
  select (select min(peer) from outbox where state = 'queued')
  union all
  select (select min(o.peer) from outbox o where o.state = 'queued' and o.peer > queued.peer) from queued where queued.peer is not null
)`;

const DUE_PEERS = fixed<{ peer: string }, [now: number, now: number]>(`${QUEUED_PEERS}
  select peer from queued
  where peer is not null
    and exists (
      select 1 from outbox o
      where o.state = 'queued' and o.peer = queued.peer and o.next_attempt_at <= ?
        and (o.claimed_until is null or o.claimed_until < ?)
    )`);

/**
 * Peers that have a message due now and not claimed by a live worker. One index walk per peer with
 * queued rows (a skip scan over outbox_due: state, peer, next_attempt_at), so a poll costs the number of
 * peers, not the size of the backlog: `select distinct peer` read every queued row, and a federation
 * under load polled a queue of thousands many times a second.
 */
export async function duePeers(db: Kysely<Database>, now: number): Promise<string[]> {
  return (await DUE_PEERS.rows(db, [now, now])).map((r) => r.peer);
}

const NEXT_DUE_AT = fixed<{ at: number | string | null }, [now: number]>(`${QUEUED_PEERS}
  select min((select min(o.next_attempt_at) from outbox o where o.state = 'queued' and o.peer = queued.peer and o.next_attempt_at > ?)) as at
  from queued where peer is not null`);

/**
 * When the next queued row comes due by time (its backoff ends), Infinity when none waits: the worker
 * sleeps until then. One index lookup per peer with queued rows (outbox_due), like duePeers.
 */
export async function nextDueAt(db: Kysely<Database>, now: number): Promise<number> {
  const at = (await NEXT_DUE_AT.rows(db, [now]))[0]?.at;
  return at === null || at === undefined ? Number.POSITIVE_INFINITY : Number(at);
}

/**
 * A claim is one statement: the oldest due rows of the peer not held by a live claim are marked as this
 * worker's and returned, each with its signed message, read from the table of what this node sent (by
 * kind). One statement, so a claim that fails (a dropped connection) has claimed nothing: rows claimed
 * but never returned would wait out the lease. PostgreSQL: several node processes claim from one outbox;
 * row locks let each take different rows without waiting (SQLite serialises writers, so it needs no lock clause).
 */
const CLAIM_CANDIDATES = `select id from outbox
  where peer = ? and state = 'queued' and next_attempt_at <= ? and (claimed_until is null or claimed_until < ?)
  order by id limit ?`;
const CLAIMED_MESSAGE = `coalesce(
    (select r.jws from referrals_out r where outbox.kind = 'referral' and r.id = outbox.message_id),
    (select s.jws from statuses s where outbox.kind = 'status' and s.id = outbox.message_id and s.direction = 'out')
  ) as jws`;
const CLAIM = fixed<
  OutboxRow & { jws: string | null },
  [worker: string, until: number, peer: string, now: number, now: number, limit: number]
>(
  `update outbox set claimed_by = ?, claimed_until = ? where id in (${CLAIM_CANDIDATES}) returning *, ${CLAIMED_MESSAGE}`,
  `update outbox set claimed_by = ?, claimed_until = ? where id in (${CLAIM_CANDIDATES} for update skip locked) returning *, ${CLAIMED_MESSAGE}`,
);

/** A row whose message this node does not hold is dead at once: nothing could ever deliver it. */
const ORPHANED = fixed<never, [error: string, worker: string, id: number]>(
  `update outbox set last_error = ?, claimed_by = null, claimed_until = null, state = 'dead'
  where state = 'queued' and claimed_by = ? and id = ?`,
);

/**
 * Claims up to `limit` due messages for one peer, oldest first, each with its signed message. A row
 * whose message is not held (never the case for a row queueSent wrote) is dead-lettered, not returned.
 */
export async function claim(
  db: Kysely<Database>,
  input: { peer: string; worker: string; now: number; leaseMs: number; limit: number },
): Promise<ClaimedRow[]> {
  const rows = await CLAIM.rows(db, [input.worker, input.now + input.leaseMs, input.peer, input.now, input.now, input.limit]);
  const claimed: ClaimedRow[] = [];
  for (const row of rows) {
    if (row.jws) claimed.push({ ...row, jws: row.jws });
    else await ORPHANED.run(db, [`its signed ${row.kind} ${row.message_id} is not held by this node`, input.worker, Number(row.id)]);
  }
  return claimed.sort((a, b) => Number(a.id) - Number(b.id));
}

const RESET_BACKOFF = fixed<never, [now: number, peer: string, now: number]>(
  `update outbox set next_attempt_at = ? where peer = ? and state = 'queued' and next_attempt_at > ?`,
);

/** Brings every queued message for a peer forward to now: the peer was just heard from. */
export async function resetBackoff(db: Kysely<Database>, peer: string, now: number): Promise<void> {
  await RESET_BACKOFF.run(db, [now, peer, now]);
}

/** Every queued row due now (at start: a restart is an operator's way of saying "try again now"). */
export async function bringForward(db: Kysely<Database>, now: number): Promise<void> {
  await db.updateTable('outbox').set({ next_attempt_at: now }).where('state', '=', 'queued').where('next_attempt_at', '>', now).execute();
}

export type RetryTarget = { id: number } | { peer: string };

/**
 * An operator's "retry now": one message (queued, dead-lettered or rejected) or a peer's whole queue
 * (queued and dead-lettered; a rejection is the peer's signed verdict, retried one message at a time).
 * A dead or rejected message starts a new delivery period; a queued one only skips its backoff, and a
 * row a worker is delivering right now is left to it. Returns how many messages are now due.
 */
export async function retryNow(db: Kysely<Database>, target: RetryTarget, now: number): Promise<number> {
  const which = (e: ExpressionBuilder<Database, 'outbox'>) => ('id' in target ? e('id', '=', target.id) : e('peer', '=', target.peer));
  const waiting = await db
    .updateTable('outbox')
    .set({ next_attempt_at: now })
    .where(which)
    .where('state', '=', 'queued')
    .where((e) => e.or([e('claimed_until', 'is', null), e('claimed_until', '<', now)]))
    .executeTakeFirst();
  const stopped = await db
    .updateTable('outbox')
    .set({ state: 'queued', next_attempt_at: now, attempts: 0, created_at: now, claimed_by: null, claimed_until: null })
    .where(which)
    .where('state', 'in', 'id' in target ? ['dead', 'rejected'] : ['dead'])
    .executeTakeFirst();
  return Number(stopped.numUpdatedRows) + Number(waiting.numUpdatedRows);
}

/**
 * Queued messages per peer, including 0 for every peer known to have had messages: a drained queue
 * must read 0, or the outbox-depth gauge would keep the last non-zero value forever. Delivered rows
 * (the bulk of the table) are never scanned: the outbox_due index leads with state, and `peers` is small.
 */
export async function depthByPeer(db: Kysely<Database>): Promise<Array<{ peer: string; depth: number }>> {
  const queued = await db
    .selectFrom('outbox')
    .select((eb) => ['peer', eb.fn.countAll<number>().as('depth')])
    .where('state', '=', 'queued')
    .groupBy('peer')
    .execute();
  const stuck = await db.selectFrom('outbox').select('peer').distinct().where('state', 'in', ['dead', 'rejected']).execute();
  const heard = await db.selectFrom('peers').select('country').execute();
  const depth = new Map<string, number>();
  for (const peer of [...heard.map((r) => r.country), ...stuck.map((r) => r.peer)]) depth.set(peer, 0);
  for (const r of queued) depth.set(r.peer, Number(r.depth));
  // By code unit (country codes are ASCII): localeCompare loads ICU's collation data into every node.
  return [...depth].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([peer, n]) => ({ peer, depth: n }));
}

/** Messages that need a person: rejected by their recipient, or dead-lettered; newest first. */
export async function listProblems(db: Kysely<Database>, limit: number) {
  return db
    .selectFrom('outbox')
    .select(['id', 'message_id', 'kind', 'peer', 'state', 'attempts', 'next_attempt_at', 'last_error', 'receipt_code', 'created_at'])
    .where('state', 'in', ['dead', 'rejected'])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Capped exponential backoff with full jitter. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 30));
  return Math.max(baseMs, Math.floor(ceiling / 2 + (random() * ceiling) / 2));
}
