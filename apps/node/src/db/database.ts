/**
 * Opens the node's database: SQLite (better-sqlite3, WAL) by default, PostgreSQL when given a
 * postgres:// URL. Business code sees only Kysely<Database>, never the driver.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { NodeError } from '../errors.js';
import { Checkpointer, type CheckpointerOptions } from './checkpointer.js';
import { migrate } from './migrate.js';
import type { Database } from './schema.js';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
  /** SQLite: how many times the worker thread has checkpointed the log (tests, metrics). */
  checkpoints?: (() => number) | undefined;
  /** SQLite: whether the checkpoint thread is running now (it runs only while the node writes). */
  checkpointing?: (() => boolean) | undefined;
}

export interface OpenDatabaseOptions {
  /** A file path for SQLite, or a postgres:// URL. */
  location: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  tls?: 'disable' | 'require' | 'verify-full';
  /** PEM file of the CA that signed the database server's certificate (verify-full). */
  caFile?: string | null;
  /** Called when an idle pooled connection fails (database restarted); the pool reconnects on next use. */
  onIdleError?: (error: Error) => void;
  /** SQLite: when the checkpoint thread starts and stops (tests). */
  checkpointer?: Omit<CheckpointerOptions, 'onError'>;
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (isPostgresUrl(options.location)) {
    // Loaded only here: a node on SQLite (most of them) never holds the PostgreSQL driver in memory.
    const { default: pg } = await import('pg');
    // int8 columns hold millisecond times and counts well inside 2^53: read them as numbers.
    pg.types.setTypeParser(20, (value) => Number(value));
    const tls = options.tls ?? 'disable';
    const pool = new pg.Pool({
      connectionString: options.location,
      max: options.poolSize ?? 10,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      connectionTimeoutMillis: 10_000,
      ...(tls === 'disable'
        ? {}
        : {
            ssl: {
              rejectUnauthorized: tls === 'verify-full',
              ...(options.caFile ? { ca: readFileSync(options.caFile, 'utf8') } : {}),
            },
          }),
    });
    // A connection that dies while idle (database restarted) must not crash the node: the pool drops
    // it and opens a new one on next use; work in flight fails its transaction and is retried.
    pool.on('error', (error) => options.onIdleError?.(error));
    // A connection killed while checked out fails its query (the caller retries); its 'error' event
    // must still be handled, or the process would die with it.
    pool.on('connect', (client) => client.on('error', (error) => options.onIdleError?.(error)));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      await sql`select 1`.execute(db);
    } catch (error) {
      // The node cannot start without its database: one clear line for the operator (never the URL's
      // password), and the pool closed so nothing lingers.
      await db.destroy().catch(() => undefined);
      throw connectError(options.location, tls, error);
    }
    await migrate(db, true);
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  mkdirSync(dirname(options.location), { recursive: true });
  const sqlite = new SQLite(options.location);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Deleted and overwritten content is zeroed as it is freed (cells, overflow and freelist pages), so
  // an erasure leaves no copy in free space (privacy/purge.ts truncates the WAL after it).
  sqlite.pragma('secure_delete = ON');
  // WAL checkpoints (copying the log into the database file, with its fsync) run on a worker thread
  // while the node writes (checkpointer.ts), so a commit on the main thread never waits for one. The
  // main thread still checkpoints if the log reaches ~80 MB (the worker stopped or fell behind).
  const checkpointer =
    options.location === ':memory:'
      ? null
      : new Checkpointer(options.location, { ...options.checkpointer, ...(options.onIdleError ? { onError: options.onIdleError } : {}) });
  if (checkpointer) {
    sqlite.pragma(`wal_autocheckpoint = ${MAIN_THREAD_CHECKPOINT_PAGES}`);
    sqlite.pragma('journal_size_limit = 67108864');
  }
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite, checkpointer ? () => checkpointer.wrote() : undefined) }),
  });
  await migrate(db, false);
  return {
    db,
    kind: 'sqlite',
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
    checkpoints: checkpointer ? () => checkpointer.count : undefined,
    checkpointing: checkpointer ? () => checkpointer.running : undefined,
  };
}

function connectError(location: string, tls: 'disable' | 'require' | 'verify-full', error: unknown): NodeError {
  const reason = error instanceof Error ? error.message : String(error);
  const url = new URL(location);
  const where = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  const hint = /does not support SSL/i.test(reason)
    ? `the server has TLS off but databasePool.tls is "${tls}": enable ssl on the server, or set databasePool.tls to "disable" on a trusted network`
    : tls !== 'disable' && /certificate|self[- ]signed|altnames|SSL|TLS/i.test(reason)
      ? `the server's TLS certificate was refused (databasePool.tls "${tls}"): set databasePool.caFile to the CA that signed it`
      : 'check that the server is up, the URL (host, port, database, user) and databasePool settings';
  return new NodeError('ERR_CONFIG', `cannot connect to the PostgreSQL database ${where} (tls ${tls}): ${reason} — ${hint}`, {
    tls,
  });
}

/** Pages (4 KiB) of log after which a commit on the main thread checkpoints itself: the backstop. */
export const MAIN_THREAD_CHECKPOINT_PAGES = 20_000;

/**
 * Kysely prepares every query afresh; preparing costs more than running a small insert. Keep the most
 * recently used statements (their SQL text is the key; values are always bound parameters). A
 * statement still iterating (a streamed select) is never handed out twice.
 */
/** A statement that does nothing: the rollback of a transaction SQLite already rolled back. */
const NOTHING_TO_ROLL_BACK = {
  reader: false,
  all: () => [],
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
  iterate: () => [][Symbol.iterator](),
} as unknown as SQLite.Statement;

function withStatementCache(
  sqlite: SQLite.Database,
  wrote?: () => void,
  size = 512,
): { prepare: SQLite.Database['prepare']; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(source: string) {
      // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM):
      // Kysely's own `rollback` then fails with "no transaction is active" and that error replaces the
      // cause (a full disk reported as a bug). With no transaction open, the rollback has nothing to do.
      if (source === 'rollback' && !sqlite.inTransaction) return NOTHING_TO_ROLL_BACK;
      const hit = cache.get(source);
      if (hit && !hit.busy) {
        cache.delete(source);
        cache.set(source, hit);
        if (!hit.reader) wrote?.();
        return hit;
      }
      const statement = sqlite.prepare(source);
      if (!statement.reader) wrote?.();
      if (!hit) {
        cache.set(source, statement);
        if (cache.size > size) cache.delete(cache.keys().next().value as string);
      }
      return statement;
    },
  } as { prepare: SQLite.Database['prepare']; close(): void };
}

/** True when this query builder runs on PostgreSQL (for the few places that take a row or advisory lock). */
export function isPostgres(db: { getExecutor(): { adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
