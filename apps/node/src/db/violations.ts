/** Whether a database error is a unique or primary key violation (PostgreSQL 23505, or SQLite's). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown } | null | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
