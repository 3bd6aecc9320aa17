/**
 * Making erased bytes unrecoverable from what the node controls, after the rows are gone.
 * SQLite: the node runs with secure_delete on (database.ts), so freed cells and pages are zeroed as
 * they are freed; the erasure's pages then reach the database file and the WAL is truncated to zero
 * bytes (it still held the old page images); a database with rows written before secure_delete was on
 * is rebuilt once (VACUUM). PostgreSQL: an UPDATE or DELETE leaves the old tuple's bytes in its page
 * until rewritten, and a plain VACUUM can leave them in the page's free space (measured), so the
 * tables are rewritten with VACUUM FULL — once no transaction older than the erasure is still
 * running anywhere on the server, nor a snapshot older than it open in this database: the rewrite
 * copies every row such a transaction might still need (measured); the server's WAL, archives and
 * backups are beyond the node
 * (OPERATIONS.md §8). Evidence files are overwritten with zeros, flushed, then unlinked.
 * Never runs inside a transaction (VACUUM and checkpoints cannot).
 */
import { closeSync, fstatSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';

/** The tables an erasure writes to (the only names ever put in a VACUUM statement). */
export const PURGED_TABLES = ['complaints', 'evidence', 'referrals_in', 'received'] as const;
export type PurgedTable = (typeof PURGED_TABLES)[number];

export interface PurgeReport {
  database: 'sqlite' | 'postgres';
  /** SQLite: the whole file rebuilt; PostgreSQL: the tables rewritten by VACUUM FULL. */
  vacuumed: string[];
  /** SQLite: the WAL checkpointed and truncated to zero bytes (false: readers kept it busy; run the erasure again). */
  walTruncated: boolean | null;
  /**
   * PostgreSQL: every snapshot older than the erasure was gone before the rewrite (false: one lasted
   * past the wait, the old rows may have been kept; run the erasure again).
   */
  snapshotsCleared: boolean | null;
}

/** How long the purge waits for transactions older than the erasure to end (PostgreSQL). */
const SNAPSHOT_WAIT_MS = 30_000;

const VACUUM_PENDING = 'privacy.vacuum_pending';

export async function purgeStorage(
  ctx: { db: Kysely<Database>; dbKind: 'sqlite' | 'postgres' },
  tables: readonly PurgedTable[],
  /** PostgreSQL: the erasing transaction's id (pg_current_xact_id). */
  erasedBy: string | null = null,
): Promise<PurgeReport> {
  if (ctx.dbKind === 'postgres') {
    const names = PURGED_TABLES.filter((t) => tables.includes(t));
    if (names.length === 0) return { database: 'postgres', vacuumed: [], walTruncated: null, snapshotsCleared: null };
    let snapshotsCleared = true;
    // One connection, so the statement timeout lifted for the rewrite is this session's only.
    await ctx.db.connection().execute(async (conn) => {
      if (erasedBy !== null) snapshotsCleared = await olderSnapshotsEnded(conn, erasedBy);
      await sql`set statement_timeout = 0`.execute(conn);
      try {
        await sql`vacuum full ${sql.raw(names.join(', '))}`.execute(conn);
      } finally {
        await sql`reset statement_timeout`.execute(conn);
      }
    });
    return { database: 'postgres', vacuumed: names, walTruncated: null, snapshotsCleared };
  }
  const vacuumed: string[] = [];
  const secure = await sql<{ secure_delete: number }>`pragma secure_delete`.execute(ctx.db);
  const pending = await ctx.db.selectFrom('kv').select('value').where('key', '=', VACUUM_PENDING).executeTakeFirst();
  if (pending || Number(secure.rows[0]?.secure_delete ?? 0) !== 1) {
    await sql`vacuum`.execute(ctx.db);
    await ctx.db.deleteFrom('kv').where('key', '=', VACUUM_PENDING).execute();
    vacuumed.push('(database file)');
  }
  return { database: 'sqlite', vacuumed, walTruncated: await truncateWal(ctx.db), snapshotsCleared: null };
}

/**
 * Waits until every transaction that was running when transaction `xid` ended has ended too, in any
 * database of the server (a snapshot taken here would otherwise count it as running, so VACUUM FULL
 * keeps the rows it deleted — measured, from another database), and no other session of this database
 * holds a snapshot older than it. Read-only sessions of other databases do not matter.
 */
async function olderSnapshotsEnded(db: Kysely<Database>, xid: string): Promise<boolean> {
  const deadline = Date.now() + SNAPSHOT_WAIT_MS;
  for (;;) {
    const { rows } = await sql<{ running: boolean; snapshots: number }>`
      select pg_snapshot_xmin(pg_current_snapshot()) <= ${xid}::xid8 as running,
             (select count(*)::int from pg_stat_activity
               where (datname = current_database() or datname is null) and pid <> pg_backend_pid()
                 and backend_xmin is not null and age(backend_xmin) >= age(xid(${xid}::xid8))) as snapshots`.execute(db);
    const row = rows[0];
    if (row && !row.running && Number(row.snapshots) === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Checkpoints the whole WAL into the database and truncates it; retried while another connection reads. */
async function truncateWal(db: Kysely<Database>): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const result = await sql<{ busy: number; log: number; checkpointed: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db);
    const row = result.rows[0];
    if (row && Number(row.busy) === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Overwrites a file with zeros, flushes it to disk, then unlinks it. false when it was already gone. */
export function shredFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const zeros = Buffer.alloc(Math.min(Math.max(size, 1), 1 << 20));
    for (let offset = 0; offset < size; offset += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, size - offset), offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
  return true;
}
