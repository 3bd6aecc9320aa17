/**
 * The hash-chained audit log: every message sent and received, appended in the same transaction as
 * the change it records. Each entry's hash covers its fields and the previous hash, so an edited,
 * removed or reordered entry breaks the chain. Never updates or deletes an entry.
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { insertRows } from '../db/chunks.js';
import { isPostgres } from '../db/database.js';
import type { AuditTable, Database } from '../db/schema.js';

/** Advisory lock key for the audit chain (arbitrary, constant). */
const AUDIT_LOCK_KEY = 7_154_235_011;

export const GENESIS_HASH = `sha256:${'0'.repeat(64)}`;

export interface AuditEntryInput {
  at: number;
  kind: string;
  ref: string;
  digest: string;
}

export function entryHash(prevHash: string, seq: number, e: AuditEntryInput): string {
  const body = JSON.stringify([prevHash, seq, e.at, e.kind, e.ref, e.digest]);
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

export async function appendAudit(trx: Transaction<Database> | Kysely<Database>, entries: AuditEntryInput[]): Promise<void> {
  if (entries.length === 0) return;
  // PostgreSQL with several node processes: one writer at a time extends the chain (the lock is held
  // until this transaction ends). SQLite already serialises writers.
  if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  const last = await trx.selectFrom('audit').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  let seq = last ? Number(last.seq) : 0;
  let prev = last ? last.hash : GENESIS_HASH;
  const rows: AuditTable[] = [];
  for (const e of entries) {
    seq += 1;
    const hash = entryHash(prev, seq, e);
    rows.push({ seq, at: e.at, kind: e.kind, ref: e.ref, digest: e.digest, prev_hash: prev, hash });
    prev = hash;
  }
  // seq is the primary key: two writers racing on the same seq cannot both commit, so the chain stays single.
  await insertRows(trx, 'audit', rows, 200);
}

export type AuditVerdict = { ok: true; entries: number; head: string } | { ok: false; entries: number; brokenAt: number; problem: string };

export function verifyChain(rows: Iterable<AuditTable>): AuditVerdict {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const row of rows) {
    const seq = Number(row.seq);
    if (seq !== expectedSeq)
      return {
        ok: false,
        entries: count,
        brokenAt: seq,
        problem: `expected entry ${expectedSeq}, found ${seq}: an entry was removed or reordered`,
      };
    if (row.prev_hash !== prev)
      return { ok: false, entries: count, brokenAt: seq, problem: `entry ${seq} does not link to the previous entry` };
    const hash = entryHash(prev, seq, { at: Number(row.at), kind: row.kind, ref: row.ref, digest: row.digest });
    if (hash !== row.hash)
      return { ok: false, entries: count, brokenAt: seq, problem: `entry ${seq} was modified: its hash does not match its content` };
    prev = row.hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, entries: count, head: prev };
}

export async function verifyAudit(db: Kysely<Database>): Promise<AuditVerdict> {
  const rows: AuditTable[] = [];
  const page = 5000;
  for (let after = 0; ; ) {
    const batch = await db.selectFrom('audit').selectAll().where('seq', '>', after).orderBy('seq').limit(page).execute();
    rows.push(...batch);
    if (batch.length < page) break;
    after = Number(batch[batch.length - 1]?.seq ?? after);
  }
  return verifyChain(rows);
}

/** JSON Lines, one entry per line with its chain fields, oldest first. */
export async function* exportAudit(db: Kysely<Database>): AsyncGenerator<string> {
  const page = 5000;
  for (let after = 0; ; ) {
    const batch = await db.selectFrom('audit').selectAll().where('seq', '>', after).orderBy('seq').limit(page).execute();
    for (const row of batch) yield `${JSON.stringify({ ...row, seq: Number(row.seq), at: Number(row.at) })}\n`;
    if (batch.length < page) return;
    after = Number(batch[batch.length - 1]?.seq ?? after);
  }
}
