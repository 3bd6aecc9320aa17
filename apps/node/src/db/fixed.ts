/**
 * Fixed statements: the SQL of a query run once or more per message, written once as text and run as
 * it is, with its values bound. No query tree is built and compiled per call (Kysely's builder costs
 * 5–20 µs a query, more than SQLite takes to run most of them), and the text never changes, so SQLite's
 * statement cache (database.ts) prepares it once. Written with `?` marks; PostgreSQL gets `$1, $2, …`.
 * Only for the hot paths: everything else stays with the query builder, which checks columns and types.
 * Never a value in the text: every value is a parameter.
 */
import { CompiledQuery, type Kysely, type QueryResult, type Transaction } from 'kysely';
import { inList } from './chunks.js';
import { isPostgres } from './database.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** One statement in both dialects, with its row type `R` and its parameters `P` in the order of its marks. */
export interface FixedStatement<R, P extends readonly unknown[]> {
  run(db: Db, parameters: P): Promise<QueryResult<R>>;
  /** The rows it returns. */
  rows(db: Db, parameters: P): Promise<R[]>;
}

/** `postgresText`: where PostgreSQL needs other words (a lock clause), with the same marks in the same order. */
export function fixed<R = never, P extends readonly unknown[] = readonly unknown[]>(
  text: string,
  postgresText = text,
): FixedStatement<R, P> {
  const sqlite = text;
  const marks = countMarks(text);
  if (countMarks(postgresText) !== marks) throw new Error(`the PostgreSQL text has other marks than the SQLite text: ${postgresText}`);
  const postgres = numbered(postgresText);
  const run = (db: Db, parameters: P): Promise<QueryResult<R>> => {
    if (parameters.length !== marks) throw new Error(`fixed statement takes ${marks} parameters, given ${parameters.length}: ${text}`);
    return db.executeQuery<R>(CompiledQuery.raw(isPostgres(db) ? postgres : sqlite, parameters as readonly unknown[] as unknown[]));
  };
  return { run, rows: async (db, parameters) => (await run(db, parameters)).rows };
}

/**
 * A fixed statement with one `in (…)` list, written `in (??)` in the text: the list is padded to a
 * power-of-two length (chunks.ts `inList`, the same set), so the statement has one text per length,
 * each prepared once. The list's values come first, then the statement's other parameters in order.
 */
export interface FixedListStatement<R, L, P extends readonly unknown[]> {
  run(db: Db, list: readonly L[], parameters: P): Promise<QueryResult<R>>;
  rows(db: Db, list: readonly L[], parameters: P): Promise<R[]>;
}

const LIST = '(??)';

export function fixedList<R = never, L = string, P extends readonly unknown[] = []>(text: string): FixedListStatement<R, L, P> {
  const at = text.indexOf(LIST);
  if (at < 0 || text.indexOf(LIST, at + 1) >= 0) throw new Error(`a list statement has exactly one ${LIST}: ${text}`);
  if (countMarks(text.slice(0, at)) > 0) throw new Error(`a list statement's list comes before its other parameters: ${text}`);
  const byLength = new Map<number, FixedStatement<R, unknown[]>>();
  const run = (db: Db, list: readonly L[], parameters: P): Promise<QueryResult<R>> => {
    if (list.length === 0) return Promise.resolve({ rows: [] });
    const padded = inList(list);
    let statement = byLength.get(padded.length);
    if (!statement) {
      statement = fixed<R, unknown[]>(`${text.slice(0, at)}(${Array(padded.length).fill('?').join(', ')})${text.slice(at + LIST.length)}`);
      byLength.set(padded.length, statement);
    }
    return statement.run(db, [...padded, ...parameters]);
  };
  return { run, rows: async (db, list, parameters) => (await run(db, list, parameters)).rows };
}

function countMarks(text: string): number {
  // A mark inside a quoted literal would be taken for a parameter: the text may hold none. Literals are
  // told from the text between them by counting quotes (an escaped '' toggles twice).
  let marks = 0;
  let quoted = false;
  for (const c of text) {
    if (c === "'") quoted = !quoted;
    else if (c === '?') {
      if (quoted) throw new Error(`a fixed statement has no ? inside a literal: ${text}`);
      marks++;
    }
  }
  return marks;
}

function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/**
 * A fixed statement over rows of values (a batch's updates in one statement, `update … from (values
 * ??) as v`), written `(values ??)` in the text, with `row` the marks of one row: casts where
 * PostgreSQL cannot tell a column's type from its use, e.g. `(cast(? as bigint), ?)`. The rows are
 * padded to a power-of-two count by repeating the last one (the same set), so the statement has one
 * text per count. Its other parameters go where their marks are, before and after the rows.
 */
export interface FixedValuesStatement<R, V extends readonly unknown[], P extends readonly unknown[]> {
  run(db: Db, rows: readonly V[], parameters: P): Promise<QueryResult<R>>;
  rows(db: Db, rows: readonly V[], parameters: P): Promise<R[]>;
}

const VALUES = '(values ??)';

export function fixedValues<R = never, V extends readonly unknown[] = readonly unknown[], P extends readonly unknown[] = []>(
  text: string,
  row: string,
): FixedValuesStatement<R, V, P> {
  const at = text.indexOf(VALUES);
  if (at < 0 || text.indexOf(VALUES, at + 1) >= 0) throw new Error(`a values statement has exactly one ${VALUES}: ${text}`);
  const before = countMarks(text.slice(0, at));
  const width = countMarks(row);
  const byCount = new Map<number, FixedStatement<R, unknown[]>>();
  const run = (db: Db, rows: readonly V[], parameters: P): Promise<QueryResult<R>> => {
    if (rows.length === 0) return Promise.resolve({ rows: [] });
    const padded = inList(rows);
    let statement = byCount.get(padded.length);
    if (!statement) {
      statement = fixed<R, unknown[]>(
        `${text.slice(0, at)}(values ${Array(padded.length).fill(row).join(', ')})${text.slice(at + VALUES.length)}`,
      );
      byCount.set(padded.length, statement);
    }
    const values: unknown[] = parameters.slice(0, before);
    for (const r of padded) {
      if (r.length !== width) throw new Error(`a row of this statement has ${width} values, given ${r.length}: ${text}`);
      for (const v of r) values.push(v);
    }
    for (const p of parameters.slice(before)) values.push(p);
    return statement.run(db, values);
  };
  return { run, rows: async (db, rows, parameters) => (await run(db, rows, parameters)).rows };
}
