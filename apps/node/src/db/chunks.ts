import { CompiledQuery, type Insertable, type Kysely, type Transaction } from 'kysely';
import { isPostgres } from './database.js';
import type { Database } from './schema.js';

/** Runs `task` over `values` in slices of `size`, one after another (bounded IN lists and multi-row inserts). */
export async function forChunks<T>(values: readonly T[], size: number, task: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < values.length; i += size) await task(values.slice(i, i + size));
}

/**
 * The values of an `in (…)` list padded to a power-of-two count by repeating the last one (the same
 * set): lists of any length up to 500 made as many statement texts, each prepared afresh (preparing a
 * statement with hundreds of parameters costs more than running it); padded, a query has ten shapes.
 */
export function inList<T>(values: readonly T[]): T[] {
  const padded = [...values];
  if (values.length === 0) return padded;
  const last = values[values.length - 1] as T;
  for (let size = 2 ** Math.ceil(Math.log2(values.length)); padded.length < size; ) padded.push(last);
  return padded;
}

/**
 * Multi-row inserts on the hot paths (inbox, liaison copies, audit), at most `size` rows per statement.
 * Same SQL as Kysely's `insertInto(table).values(rows)` when every row has the same columns, but
 * without building a query tree per row: the statement text depends only on the table, the columns
 * and the row count (so the prepared-statement cache serves it), and the parameters are the values in
 * row order. Rows whose columns differ from the first row's, or with an undefined value, go through
 * Kysely itself (same result, slower). `ignoreConflictOn`: rows clashing on these unique columns are
 * skipped (`on conflict (…) do nothing`, in SQLite and PostgreSQL alike).
 */
export async function insertRows<T extends keyof Database & string>(
  db: Kysely<Database> | Transaction<Database>,
  table: T,
  rows: ReadonlyArray<Insertable<Database[T]>>,
  size: number,
  options: { ignoreConflictOn?: ReadonlyArray<string> } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as object);
  const postgres = isPostgres(db);
  const conflict = options.ignoreConflictOn ? ` on conflict (${options.ignoreConflictOn.map(quote).join(', ')}) do nothing` : '';
  // Statements of a power-of-two number of rows only (49 rows: 32 + 16 + 1): a table has a handful of
  // statement shapes, each prepared once and kept, where any count up to `size` made as many shapes,
  // more than the statement cache holds, so most multi-row inserts were prepared afresh.
  let start = 0;
  for (const n of statementSizes(rows.length, size)) {
    const chunk = rows.slice(start, start + n);
    start += n;
    const parameters: unknown[] = [];
    let uniform = true;
    for (const row of chunk) {
      const r = row as Record<string, unknown>;
      let n = 0;
      for (const key in r) {
        if (key !== columns[n] || r[key] === undefined) uniform = false;
        n += 1;
      }
      if (n !== columns.length || !uniform) {
        uniform = false;
        break;
      }
      for (const column of columns) parameters.push(r[column]);
    }
    if (!uniform) {
      // biome-ignore lint/suspicious/noExplicitAny: the row type is checked by this function's signature
      const insert = (db as Kysely<any>).insertInto(table).values(chunk);
      const columns = options.ignoreConflictOn;
      await (columns ? insert.onConflict((oc) => oc.columns([...columns]).doNothing()) : insert).execute();
      continue;
    }
    await db.executeQuery(CompiledQuery.raw(insertSql(table, columns, chunk.length, postgres) + conflict, parameters));
  }
}

/** The row counts of the statements that insert `total` rows, at most `size` each: powers of two, largest first. */
export function statementSizes(total: number, size: number): number[] {
  const sizes: number[] = [];
  for (let left = total; left > 0; ) {
    const n = 2 ** Math.floor(Math.log2(Math.min(size, left)));
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

const sqlCache = new Map<string, string>();

function insertSql(table: string, columns: string[], count: number, postgres: boolean): string {
  const cacheKey = `${postgres ? 'pg' : 'sqlite'}|${table}|${columns.join(',')}|${count}`;
  let text = sqlCache.get(cacheKey);
  if (text !== undefined) return text;
  const tuples: string[] = [];
  let p = 0;
  for (let r = 0; r < count; r++) {
    const marks: string[] = [];
    for (let c = 0; c < columns.length; c++) marks.push(postgres ? `$${++p}` : '?');
    tuples.push(`(${marks.join(', ')})`);
  }
  text = `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values ${tuples.join(', ')}`;
  // Shapes are few (a handful of tables, chunk sizes up to a few hundred); bound the cache anyway.
  if (sqlCache.size >= 2048) sqlCache.clear();
  sqlCache.set(cacheKey, text);
  return text;
}

function quote(identifier: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(identifier)) throw new Error(`unexpected SQL identifier ${JSON.stringify(identifier)}`);
  return `"${identifier}"`;
}
