/**
 * The hash-chained audit log: every message sent and received, appended in the same transaction as
 * the change it records. Each entry's hash covers its fields and the previous hash, so an edited,
 * removed or reordered entry breaks the chain. The head anchor (audit-head.ts), moved in the same
 * transaction, makes entries cut off the end show too. Never updates or deletes an entry.
 */
import { sha256Digest } from '@firstlight/protocol';
import type { Kysely, Transaction } from 'kysely';
import { insertRows } from '../db/chunks.js';
import { isPostgres } from '../db/database.js';
import { fixed } from '../db/fixed.js';
import type { AuditTable, Database } from '../db/schema.js';
import { type AuditHead, formatAuditHead, readAuditHead, writeAuditHead } from './audit-head.js';

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
  return sha256Digest(body);
}

/** Every append (several per message sent or received) takes the lock and reads both ends: fixed statements. */
const AUDIT_LOCK = fixed<never, []>(`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
/** The chain's last entry and the head anchor, in one statement. */
const CHAIN_ENDS = fixed<{ last_seq: number | null; last_hash: string | null; head_seq: number | null; head_hash: string | null }, []>(
  `select (select seq from audit order by seq desc limit 1) as last_seq,
    (select hash from audit order by seq desc limit 1) as last_hash,
    (select seq from audit_head where id = 1) as head_seq,
    (select hash from audit_head where id = 1) as head_hash`,
);

export async function appendAudit(db: Transaction<Database> | Kysely<Database>, entries: AuditEntryInput[]): Promise<void> {
  if (entries.length === 0) return;
  // The entries and the head anchor are written together or not at all (and, on PostgreSQL, under
  // the lock, which lasts only as long as its transaction).
  if (!db.isTransaction) return db.transaction().execute((trx) => appendAudit(trx, entries));
  const trx = db;
  // PostgreSQL with several node processes: one writer at a time extends the chain (the lock is held
  // until this transaction ends). SQLite already serialises writers.
  if (isPostgres(trx)) await AUDIT_LOCK.run(trx, []);
  const ends = (await CHAIN_ENDS.rows(trx, []))[0];
  const lastSeq = Number(ends?.last_seq ?? 0);
  const headSeq = ends?.head_seq ?? null;
  // Build on the anchor, not on the last row, when they disagree: entries cut off the end then stay a
  // gap (and an edited last entry a broken link) that every later verify reports, instead of being
  // papered over by the next append. Rows past the anchor (written by a node older than the anchor)
  // are kept and covered.
  const onAnchor = headSeq !== null && ends?.head_hash != null && Number(headSeq) >= lastSeq;
  let seq = onAnchor ? Number(headSeq) : lastSeq;
  let prev = (onAnchor ? ends?.head_hash : ends?.last_hash) ?? GENESIS_HASH;
  const rows: AuditTable[] = [];
  for (const e of entries) {
    seq += 1;
    const hash = entryHash(prev, seq, e);
    rows.push({ seq, at: e.at, kind: e.kind, ref: e.ref, digest: e.digest, prev_hash: prev, hash });
    prev = hash;
  }
  // seq is the primary key: two writers racing on the same seq cannot both commit, so the chain stays single.
  await insertRows(trx, 'audit', rows, 200);
  await writeAuditHead(trx, { seq, hash: prev });
}

/** `head`/`headSeq`: the last entry stored (seq 0 and the genesis hash for an empty log), for the auditor to keep. */
export type AuditVerdict =
  | { ok: true; entries: number; headSeq: number; head: string }
  | { ok: false; entries: number; headSeq: number; head: string; brokenAt: number; problem: string };

export interface VerifyAuditOptions {
  /** A head the auditor wrote down earlier (or got from another copy): the log must still hold it unchanged. */
  expectHead?: AuditHead | undefined;
}

/** Checks that the rows, oldest first, form one unbroken chain from the genesis hash. */
export function verifyChain(rows: readonly AuditTable[]): AuditVerdict {
  const last = rows[rows.length - 1];
  const headSeq = last ? Number(last.seq) : 0;
  const head = last ? last.hash : GENESIS_HASH;
  const broken = (entries: number, brokenAt: number, problem: string): AuditVerdict => ({
    ok: false,
    entries,
    headSeq,
    head,
    brokenAt,
    problem,
  });
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const row of rows) {
    const seq = Number(row.seq);
    if (seq !== expectedSeq) return broken(count, seq, `expected entry ${expectedSeq}, found ${seq}: an entry was removed or reordered`);
    if (row.prev_hash !== prev) return broken(count, seq, `entry ${seq} does not link to the previous entry`);
    const hash = entryHash(prev, seq, { at: Number(row.at), kind: row.kind, ref: row.ref, digest: row.digest });
    if (hash !== row.hash) return broken(count, seq, `entry ${seq} was modified: its hash does not match its content`);
    prev = row.hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, entries: count, headSeq, head };
}

/**
 * The chain, then its end: the head anchor must be the chain's last entry, and `expectHead` (kept by
 * the auditor outside the database, where whoever can delete rows cannot rewrite it) must be in it.
 */
export async function verifyAudit(db: Kysely<Database>, options: VerifyAuditOptions = {}): Promise<AuditVerdict> {
  // The anchor is read before and after the rows, so appends while we read cannot look like tampering:
  // the chain read covers at least the anchor read before it, and at most the anchor read after it.
  const anchorBefore = await readAuditHead(db);
  const rows: AuditTable[] = [];
  const page = 5000;
  for (let after = 0; ; ) {
    const batch = await db.selectFrom('audit').selectAll().where('seq', '>', after).orderBy('seq').limit(page).execute();
    rows.push(...batch);
    if (batch.length < page) break;
    after = Number(batch[batch.length - 1]?.seq ?? after);
  }
  const anchorAfter = await readAuditHead(db);
  const verdict = verifyChain(rows);
  if (!verdict.ok) return verdict;
  const problem = endProblem(rows, verdict.headSeq, options.expectHead, anchorBefore, anchorAfter);
  return problem ? { ...verdict, ok: false, ...problem } : verdict;
}

/** Hash of entry `seq` in a verified chain (contiguous from 1), the genesis hash for 0. */
function hashAt(rows: readonly AuditTable[], seq: number): string | undefined {
  return seq === 0 ? GENESIS_HASH : rows[seq - 1]?.hash;
}

function removed(headSeq: number, wanted: number): string {
  const ends = headSeq === 0 ? 'the log is empty' : `the log ends at entry ${headSeq}`;
  const gone = wanted === headSeq + 1 ? `entry ${wanted} was removed` : `entries ${headSeq + 1}–${wanted} were removed`;
  return `${ends} but entry ${wanted} was written: ${gone}`;
}

function endProblem(
  rows: readonly AuditTable[],
  headSeq: number,
  expectHead: AuditHead | undefined,
  anchorBefore: AuditHead | null,
  anchorAfter: AuditHead | null,
): { brokenAt: number; problem: string } | null {
  if (expectHead) {
    if (expectHead.seq > headSeq)
      return { brokenAt: headSeq + 1, problem: `${removed(headSeq, expectHead.seq)} (expected head ${formatAuditHead(expectHead)})` };
    if (hashAt(rows, expectHead.seq) !== expectHead.hash)
      return {
        brokenAt: expectHead.seq,
        problem: `entry ${expectHead.seq} is not the expected head ${formatAuditHead(expectHead)}: the log was rewritten from entry ${expectHead.seq} or earlier`,
      };
  }
  if (!anchorBefore || !anchorAfter)
    return {
      brokenAt: headSeq,
      problem:
        'the audit head anchor is missing (it is kept from migration 004 on and moved by every append): it was deleted, so entries removed from the end of the log cannot be ruled out; verify against a head written down earlier (expect head)',
    };
  if (anchorBefore.seq > headSeq) return { brokenAt: headSeq + 1, problem: removed(headSeq, anchorBefore.seq) };
  for (const anchor of [anchorBefore, anchorAfter]) {
    if (anchor.seq <= headSeq && hashAt(rows, anchor.seq) !== anchor.hash)
      return {
        brokenAt: anchor.seq,
        problem: `entry ${anchor.seq} does not match the head anchor: the log was rewritten from entry ${anchor.seq} or earlier, or the anchor was edited`,
      };
  }
  if (anchorAfter.seq < headSeq)
    return {
      brokenAt: anchorAfter.seq + 1,
      problem: `${headSeq === anchorAfter.seq + 1 ? `entry ${headSeq} is` : `entries ${anchorAfter.seq + 1}–${headSeq} are`} past the head anchor (entry ${anchorAfter.seq}): written without moving it, directly in the database or by a node process older than the anchor`,
    };
  return null;
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
